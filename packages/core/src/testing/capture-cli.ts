/** Runs a command-line tool in-process with its output captured, for tests of @fr CLIs. */
import type { CliIo } from '../cli/program.js';

/** What a CLI run returned and wrote. */
export interface CapturedCliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How the captured streams present themselves: a terminal (`isTTY`, for progress bars) or not (default). */
export interface CaptureCliOptions {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Calls `run` with streams that record everything written, and returns the exit code and the text.
 * @example
 * ```ts
 * import { runProgram } from '@fr/core/cli';
 * const { code, stderr } = await captureCli((io) => runProgram(myProgram, ['--modle', 'x'], io));
 * expect(code).toBe(2);
 * expect(stderr).toContain('did you mean --model?');
 * ```
 */
export async function captureCli(run: (io: CliIo) => Promise<number> | number, options: CaptureCliOptions = {}): Promise<CapturedCliRun> {
  let stdout = '';
  let stderr = '';
  const { isTTY = false, columns } = options;
  const code = await run({
    stdout: { write: (text: string) => (stdout += text), isTTY, columns },
    stderr: { write: (text: string) => (stderr += text), isTTY, columns },
  });
  return { code, stdout, stderr };
}
