
/** What a CLI command writes: one line at a time. */
export type Print = (line: string) => void;

/** A usage error: the command prints the message and its usage, and exits with status 2. */
export class UsageError extends Error {}

/** Runs a command-line parse (`node:util` parseArgs), its errors turned into {@link UsageError}s. */
export function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1)} MB`;
}

/** Runs a command: 0 on success, 1 on a failure, 2 on a usage error (with the usage text). */
export async function runCommand(run: () => Promise<void>, usage: string, print: Print, printError: Print): Promise<number> {
  try {
    await run();
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      printError(`${message}\n\n${usage}`);
      return 2;
    }
    printError(message);
    return 1;
  }
}

/** A bin entry point: `--help` prints the usage; otherwise the command's status becomes the exit code. */
export function runMain(name: string, command: (argv: readonly string[], print: Print, printError: Print) => Promise<number>, usage: string): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  void command(argv, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${name}: ${l}\n`)).then((code) => {
    process.exitCode = code;
  });
}
