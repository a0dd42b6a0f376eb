import { describe, expect, test } from 'vitest';
import { makeLrSchedule, parseTrainerConfig } from '../src/index.js';

const schedule = (s: unknown, total = 10) =>
  makeLrSchedule(parseTrainerConfig({ batchSize: 1, steps: total, optimizer: { type: 'sgd', lr: 1 }, schedule: s }).schedule, 1, total);

describe('learning-rate schedules', () => {
  test('current insightface PolynomialLRWarmup: full lr at step 0, linear warmup, then decay', () => {
    const f = schedule({ type: 'polynomial', warmupSteps: 4, power: 1 });
    expect([0, 1, 2, 3, 4, 5, 7, 10, 12].map(f)).toEqual([1, 0.25, 0.5, 0.75, 1, 1 - 1 / 6, 0.5, 0, 0]);
  });

  test('legacy PolyScheduler (TransFace/TopoFR), power 2: lr 0 at step 0', () => {
    const f = schedule({ type: 'polynomial', warmupSteps: 2, power: 2, flavour: 'legacy' });
    expect(f(0)).toBe(0);
    expect(f(1)).toBe(0.5);
    expect(f(2)).toBe(1);
    expect(f(6)).toBeCloseTo((1 - 4 / 8) ** 2, 12);
  });

  test('step decay and constant', () => {
    const f = schedule({ type: 'step', milestones: [3, 6], gamma: 0.1 });
    expect([0, 2, 3, 5, 6, 9].map(f).map((x) => Number(x.toPrecision(6)))).toEqual([1, 1, 0.1, 0.1, 0.01, 0.01]);
    expect(schedule({ type: 'constant' })(5)).toBe(1);
    expect(() => schedule({ type: 'step', milestones: [5, 3] })).toThrow(/strictly increasing/);
    expect(() => schedule({ type: 'polynomial', warmupSteps: 20 })).toThrow(/warmupSteps \(20\) must be smaller/);
  });
});
