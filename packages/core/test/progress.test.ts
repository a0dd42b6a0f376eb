import { describe, expect, test } from 'vitest';
import { createProgress, formatDuration, progressBar, type ProgressDisplayOptions, type StepEvent, type TrainerEvent } from '../src/index.js';

const start: TrainerEvent = { type: 'start', step: 0, totalSteps: 20, backend: 'cpu', parameters: 1, composition: { backbone: 'b', plugins: [] }, resumedFrom: null, time: '' };
const step = (s: number): StepEvent => ({
  type: 'step', step: s, epoch: 0, batchInEpoch: s + 1, loss: 2.5, terms: { ce: 2.5 }, metrics: {}, lr: 0.1, gradNorm: 1, clipped: false, skipped: false,
  batchSize: 8, stepSeconds: 0.1, dataSeconds: 0, imagesPerSecond: 80,
});

function run(isTTY: boolean, options: Parameters<typeof progressBar>[1] = {}): string {
  let out = '';
  let clock = 0;
  const draw = progressBar({ isTTY, write: (t) => (out += t) }, { now: () => clock, ...options });
  draw(start);
  for (let s = 0; s < 20; s++) {
    clock += 1000; // one step per second: 20 steps, ETA counts down
    draw(step(s));
  }
  draw({ type: 'end', step: 20, reason: 'completed', seconds: 20 });
  return out;
}

describe('progressBar', () => {
  test('off a terminal: a plain line every tenth of the run with rate-based ETA, no control characters', () => {
    const out = run(false);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('step 2/20 (10%) loss 2.5000 lr 0.100 80.0 img/s ETA 18s');
    expect(lines[9]).toBe('step 20/20 (100%) loss 2.5000 lr 0.100 80.0 img/s ETA 0s');
    expect(lines[10]).toBe('completed at step 20 in 20s');
    expect(out.includes('\r') || out.includes('\u001b')).toBe(false);
  });

  test('off a terminal, everySeconds bounds the silence on long runs', () => {
    const lines = run(false, { everySteps: 1000, everySeconds: 5 }).trim().split('\n');
    expect(lines.slice(0, 4).map((l) => l.split(' ')[1])).toEqual(['5/20', '10/20', '15/20', '20/20']);
  });

  test('on a terminal: one bar redrawn in place', () => {
    const out = run(true);
    expect(out.split('\r\x1b[2K').length).toBeGreaterThan(20);
    expect(out).toContain('step 10/20 ▕████████████░░░░░░░░░░░░▏ loss 2.5000 lr 0.100 80.0 img/s ETA 10s');
  });
});

/** A display on a captured stream with a settable clock (seconds). */
function display(isTTY: boolean, options: Omit<ProgressDisplayOptions, 'now'>) {
  const state = { out: '', seconds: 0 };
  const progress = createProgress({ isTTY, columns: 120, write: (t) => (state.out += t) }, { ...options, now: () => state.seconds * 1000 });
  return { progress, state };
}

describe('createProgress (every long command: fr-bench report, fr-data rec, fr-bench bench, training)', () => {
  test('off a terminal: counts that jump a batch at a time give a line per tenth passed, with the rate in units and the ETA', () => {
    const { progress, state } = display(false, { label: 'embedding', total: 100, unit: 'images' });
    for (const [t, done] of [[1, 32], [2, 64], [3, 96]] as const) {
      state.seconds = t;
      progress.update(done);
    }
    progress.end('done');
    expect(state.out).toBe('embedding 32/100 (32%) 32.0 images/s ETA 2s\nembedding 64/100 (64%) 32.0 images/s ETA 1s\nembedding 96/100 (96%) 32.0 images/s ETA 0s\ndone\n');
  });

  test('off a terminal: at most a line a second, so a job that ends in moments prints only its summary', () => {
    const { progress, state } = display(false, { label: 'rec', total: 10, unit: 'images' });
    for (let i = 1; i <= 10; i++) {
      state.seconds = i * 0.05;
      progress.update(i);
    }
    progress.end('wrote 10 images');
    expect(state.out).toBe('wrote 10 images\n');
  });

  test('on a terminal: a bar redrawn in place with rate and ETA; print() clears it for a permanent line; end() leaves the final bar', () => {
    const { progress, state } = display(true, { label: 'embedding', total: 100, unit: 'images' });
    state.seconds = 1;
    progress.update(32);
    expect(state.out).toBe('\r\x1b[2Kembedding 32/100 ▕████████░░░░░░░░░░░░░░░░▏ 32.0 images/s ETA 2s');
    progress.print('a result');
    expect(state.out.endsWith('\r\x1b[2Ka result\n')).toBe(true);
    state.seconds = 1.05;
    progress.update(40); // within 100 ms of the last draw: not redrawn
    expect(state.out.endsWith('a result\n')).toBe(true);
    state.seconds = 2;
    progress.update(100);
    progress.end('done');
    expect(state.out.endsWith('embedding 100/100 ▕████████████████████████▏ 50.0 images/s ETA 0s\ndone\n')).toBe(true);
  });

  test('without a total: the elapsed time and the latest status (a phase), redrawn on a terminal, now and then elsewhere', () => {
    const tty = display(true, { label: 'bench' });
    tty.state.seconds = 65;
    tty.progress.status('rep 2/3 ours step 1/2');
    expect(tty.state.out).toBe('\r\x1b[2Kbench [1m05s] rep 2/3 ours step 1/2');
    const plain = display(false, { label: 'bench', everySeconds: 30 });
    for (const [t, text] of [[1, 'a'], [10, 'b'], [31, 'c']] as const) {
      plain.state.seconds = t;
      plain.progress.status(text);
    }
    expect(plain.state.out).toBe('bench [1s] a\nbench [31s] c\n');
  });

  test('durations read at a glance', () => {
    expect([0.4, 42, 185, 4020, Infinity].map(formatDuration)).toEqual(['0s', '42s', '3m05s', '1h07m', '?']);
  });
});
