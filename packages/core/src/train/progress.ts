import { createProgress, formatDuration, type Progress, type ProgressStream } from '../util/progress.js';
import type { TrainerEvent } from './events.js';

export type { ProgressStream } from '../util/progress.js';

/** Options of {@link progressBar}. */
export interface ProgressOptions {
  /**
   * `bar`: one line redrawn in place (needs a terminal); `lines`: a plain line now and then (logs,
   * CI); `auto` (default): `bar` when the stream is a TTY, else `lines`.
   */
  readonly mode?: 'auto' | 'bar' | 'lines';
  /** `lines` mode: a line every this many steps (default: a tenth of the run)… */
  readonly everySteps?: number;
  /** …or after this many seconds without one, whichever comes first (default 60). */
  readonly everySeconds?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

/**
 * Training progress with rate and ETA ({@link createProgress} fed by trainer events): on a TTY a
 * one-line bar redrawn in place (step, loss, lr, throughput, ETA); elsewhere plain periodic lines, so
 * a log file or CI output stays readable. Other events (checkpoints, evaluations, non-finite skips,
 * the end) print on their own lines.
 * @example
 * ```ts
 * trainer.on('step', progressBar(process.stderr)); // subscribe it to every event type you want shown
 * ```
 */
export function progressBar(stream: ProgressStream, options: ProgressOptions = {}): (event: TrainerEvent) => void {
  let progress: Progress | null = null;
  const print = (line: string): void => {
    if (progress) progress.print(line);
    else stream.write(`${line}\n`);
  };
  return (event) => {
    switch (event.type) {
      case 'start':
        progress = createProgress(stream, {
          label: 'step',
          total: event.totalSteps,
          start: event.step,
          mode: options.mode,
          every: options.everySteps,
          everySeconds: options.everySeconds,
          now: options.now,
        });
        break;
      case 'step':
        progress?.update(event.step + 1, `loss ${event.loss.toFixed(4)} lr ${event.lr.toPrecision(3)} ${event.imagesPerSecond.toFixed(1)} img/s${event.skipped ? ' (skipped)' : ''}`);
        break;
      case 'checkpoint':
        print(`checkpoint (${event.reason}) step ${event.step} → ${event.path}`);
        break;
      case 'eval':
        print(`eval ${event.name} at step ${event.step}: ${Object.entries(event.metrics).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}`);
        break;
      case 'nonfinite':
        print(event.message);
        break;
      case 'end': {
        const summary = `${event.reason} at step ${event.step} in ${formatDuration(event.seconds)}`;
        if (progress) progress.end(summary);
        else stream.write(`${summary}\n`);
        progress = null;
        break;
      }
    }
  };
}
