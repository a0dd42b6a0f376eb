/** The `fr-bench` command line, as a function (the `bin` entry is `src/cli.ts`). */
import { runProgram, type CliIo } from '@fr/core/cli';
import manifest from '../../package.json' with { type: 'json' };
import { benchCommand } from './bench-command.js';
import { reportCommand } from './report-command.js';

/**
 * Runs `fr-bench` with `argv` (without `node` and the script) and returns the exit code: 0 done,
 * 1 failed, 2 bad arguments.
 * @example
 * ```ts
 * process.exitCode = await runBenchCli(['report', '--model', 'runs/demo/model', '--bin', 'lfw.bin']);
 * ```
 */
export function runBenchCli(argv: readonly string[], io?: CliIo): Promise<number> {
  return runProgram(
    {
      name: 'fr-bench',
      version: manifest.version,
      summary: 'fr-bench — evaluation reports and benchmarks for @fr',
      commands: { report: reportCommand, bench: benchCommand },
    },
    argv,
    io,
  );
}
