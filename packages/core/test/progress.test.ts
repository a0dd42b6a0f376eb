import { describe, expect, test } from 'vitest';
import { progressBar, type StepEvent, type TrainerEvent } from '../src/index.js';

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
