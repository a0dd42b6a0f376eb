/** Output helpers of the `fr-data` commands. */
import type { ProgressStream } from '@fr/core';

/** A log sink writing whole lines to `stream`, clearing a progress bar first on a TTY. */
export function lineLogger(stream: ProgressStream): (line: string) => void {
  return (line) => {
    stream.write(`${stream.isTTY ? '\r\x1b[2K' : ''}${line}\n`);
  };
}

/** `12.3 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
