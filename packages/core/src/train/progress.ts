import type { TrainerEvent } from './events.js';

const WIDTH = 24;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * A one-line progress bar redrawn in place on a TTY stream: step, loss, lr, throughput, ETA.
 * Other events (checkpoints, evaluations, non-finite skips) print on their own lines.
 */
export function progressBar(stream: { write(text: string): unknown; columns?: number }): (event: TrainerEvent) => void {
  let total = 0;
  let start = 0;
  let firstStep = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return (event) => {
    switch (event.type) {
      case 'start':
        total = event.totalSteps;
        firstStep = event.step;
        start = Date.now();
        break;
      case 'step': {
        const done = event.step + 1;
        const frac = total > 0 ? Math.min(1, done / total) : 0;
        const filled = Math.round(frac * WIDTH);
        const elapsed = (Date.now() - start) / 1000;
        const rate = (done - firstStep) / Math.max(elapsed, 1e-9);
        const eta = (total - done) / rate;
        const line = `step ${done}/${total} ▕${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}▏ loss ${event.loss.toFixed(4)} lr ${event.lr.toPrecision(3)} ${event.imagesPerSecond.toFixed(1)} img/s ETA ${duration(eta)}${event.skipped ? ' (skipped)' : ''}`;
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
