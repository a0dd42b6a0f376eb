/** The `fr-data` command line, as a function (the `bin` entry is `src/cli.ts`). */
import { runProgram, type CliIo } from '@fr/core/cli';
import manifest from '../../package.json' with { type: 'json' };
import { alignCommand } from './align-command.js';
import { binCommand } from './bin-command.js';
import { inspectCommand } from './inspect-command.js';
import { recCommand } from './rec-command.js';

export type { CliIo } from '@fr/core/cli';

/**
 * Runs `fr-data` with `argv` (without `node` and the script) and returns the exit code: 0 on
 * success, 1 on a data error, 2 on a usage error.
 *
 * @example
 * ```ts
 * const code = await runCli(['inspect', 'train.rec'], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export function runCli(argv: readonly string[], io?: CliIo): Promise<number> {
  return runProgram(
    {
      name: 'fr-data',
      version: manifest.version,
      summary: 'fr-data — face datasets without Python or MXNet',
      commands: { rec: recCommand, bin: binCommand, inspect: inspectCommand, align: alignCommand },
    },
    argv,
    io,
  );
}
