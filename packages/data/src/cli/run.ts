/** The `fr-data` command line, as a function (the `bin` entry is `src/cli.ts`). */
import { DataError, errorMessage } from '../errors.js';
import { parseArgs, UsageError } from './args.js';
import { BIN_USAGE, BIN_VALUED, binCommand } from './bin-command.js';
import { INSPECT_USAGE, inspectCommand } from './inspect-command.js';
import type { CliIo } from './io.js';
import { REC_USAGE, REC_VALUED, recCommand } from './rec-command.js';

export type { CliIo } from './io.js';

const USAGE = `fr-data — face datasets without Python or MXNet

${REC_USAGE}

${BIN_USAGE}

${INSPECT_USAGE}
`;

/**
 * Runs `fr-data` with `argv` (without `node` and the script) and returns the exit code: 0 on
 * success, 1 on a data error, 2 on a usage error.
 *
 * @example
 * ```ts
 * const code = await runCli(['inspect', 'train.rec'], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'rec':
        return recCommand(parseArgs(rest, REC_VALUED), io);
      case 'bin':
        return binCommand(parseArgs(rest, BIN_VALUED), io);
      case 'inspect':
        return inspectCommand(parseArgs(rest, []), io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`fr-data: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.stderr.write(`fr-data: error: ${e instanceof DataError ? e.message : errorMessage(e)}\n`);
    return 1;
  }
}
