import type { StepEvent, TrainerEvent } from './events.js';

const WIDTH = 24;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Where progress goes: a process stream, or anything with `write` (tests). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly columns?: number;
  readonly isTTY?: boolean;
}

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
 * Training progress with rate and ETA: on a TTY a one-line bar redrawn in place (step, loss, lr,
 * throughput, ETA); elsewhere plain periodic lines, so a log file or CI output stays readable.
 * Other events (checkpoints, evaluations, non-finite skips, the end) print on their own lines.
 * @example
 * ```ts
 * trainer.on('step', progressBar(process.stderr)); // subscribe it to every event type you want shown
 * ```
 */
export function progressBar(stream: ProgressStream, options: ProgressOptions = {}): (event: TrainerEvent) => void {
  const mode = options.mode === undefined || options.mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : options.mode;
  const now = options.now ?? Date.now;
  const everySeconds = options.everySeconds ?? 60;
  let total = 0;
  let start = 0;
  let firstStep = 0;
  let everySteps = 1;
  let lastLine = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const describe = (event: StepEvent): { done: number; text: string } => {
    const done = event.step + 1;
    const elapsed = (now() - start) / 1000;
    const rate = (done - firstStep) / Math.max(elapsed, 1e-9);
    const eta = (total - done) / rate;
    return { done, text: `loss ${event.loss.toFixed(4)} lr ${event.lr.toPrecision(3)} ${event.imagesPerSecond.toFixed(1)} img/s ETA ${duration(eta)}${event.skipped ? ' (skipped)' : ''}` };
  };
  return (event) => {
    switch (event.type) {
      case 'start':
        total = event.totalSteps;
        firstStep = event.step;
        start = now();
        lastLine = start;
        everySteps = options.everySteps ?? Math.max(1, Math.round((total - firstStep) / 10));
        break;
      case 'step': {
        const { done, text } = describe(event);
        if (mode === 'lines') {
          if ((done - firstStep) % everySteps !== 0 && done !== total && now() - lastLine < everySeconds * 1000) break;
          lastLine = now();
          stream.write(`step ${done}/${total} (${Math.floor((100 * done) / Math.max(total, 1))}%) ${text}\n`);
          break;
        }
        const frac = total > 0 ? Math.min(1, done / total) : 0;
        const filled = Math.round(frac * WIDTH);
        const line = `step ${done}/${total} ▕${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}▏ ${text}`;
        stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 200) - 1)}`);
        drawn = true;
        break;
      }
      case 'checkpoint':
        clear();
        stream.write(`checkpoint (${event.reason}) step ${event.step} → ${event.path}\n`);
        break;
      case 'eval':
        clear();
        stream.write(`eval ${event.name} at step ${event.step}: ${Object.entries(event.metrics).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}\n`);
        break;
      case 'nonfinite':
        clear();
        stream.write(`${event.message}\n`);
        break;
      case 'end':
        clear();
        stream.write(`${event.reason} at step ${event.step} in ${duration(event.seconds)}\n`);
        break;
    }
  };
}
