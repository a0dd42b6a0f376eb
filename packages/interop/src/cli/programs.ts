/** The `fr-export` and `fr-import` command lines, as functions (their `bin` entries are `src/fr-export.ts`, `src/fr-import.ts`). */
import { runProgram, type CliIo } from '@fr/core/cli';
import { VERSION } from '../version.js';
import { exportCommand } from './export-command.js';
import { importCommand } from './import-command.js';

/**
 * Runs `fr-export` with `argv` (without `node` and the script); returns the exit code: 0 done,
 * 1 failed, 2 bad arguments.
 * @example
 * ```ts
 * process.exitCode = await runExportCli(['--model', 'runs/demo/model', '--onnx', 'demo.onnx']);
 * ```
 */
export function runExportCli(argv: readonly string[], io?: CliIo): Promise<number> {
  return runProgram({ name: 'fr-export', version: VERSION, commands: exportCommand }, argv, io);
}

/**
 * Runs `fr-import` with `argv` (without `node` and the script); returns the exit code: 0 done,
 * 1 failed, 2 bad arguments.
 * @example
 * ```ts
 * process.exitCode = await runImportCli(['backbone.pth', '--out', 'models/r50']);
 * ```
 */
export function runImportCli(argv: readonly string[], io?: CliIo): Promise<number> {
  return runProgram({ name: 'fr-import', version: VERSION, commands: importCommand }, argv, io);
}
