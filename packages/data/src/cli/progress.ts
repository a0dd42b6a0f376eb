/** Progress reporting for the CLI: a redrawn bar on a terminal, one summary line otherwise. */

/** The output the CLI writes to (process streams, or buffers in tests). */
export interface CliStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface Progress {
  /** Sets the number of finished items. */
  update(done: number): void;
  /** Ends the bar (on a TTY) and prints the summary line. */
  finish(summary: string): void;
}

const formatRate = (n: number, seconds: number): string => (seconds > 0 ? `${Math.round(n / seconds)}/s` : '');

/**
 * A progress bar on `stream` when it is a TTY (redrawn at most 10 times a second), else silent
 * until {@link Progress.finish} prints the summary.
 */
export function createProgress(stream: CliStream, total: number, label: string, now: () => number = () => performance.now()): Progress {
  const start = now();
  let last = -Infinity;
  let drawn = false;
  const draw = (done: number): void => {
    const seconds = (now() - start) / 1000;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    stream.write(`\r${label} [${bar}] ${done}/${total} ${pct}% ${formatRate(done, seconds)}\x1b[K`);
    drawn = true;
  };
  return {
    update(done) {
      if (!stream.isTTY) return;
      const t = now();
      if (t - last < 100 && done < total) return;
      last = t;
      draw(done);
    },
    finish(summary) {
      if (stream.isTTY && drawn) {
        draw(total);
        stream.write('\n');
      }
      stream.write(`${summary}\n`);
    },
  };
}
