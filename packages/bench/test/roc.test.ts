import { describe, expect, it } from 'vitest';
import { auc, equalErrorRate, minImpostorsForFar, rocCurve, tarAtFar } from '@fr/bench';
import { rng } from './helpers.js';

describe('rocCurve', () => {
  it('hand-computed curve over unique scores', () => {
    const roc = rocCurve([0.9, 0.8, 0.3, 0.1], [true, false, true, false]);
    expect(Array.from(roc.thresholds)).toEqual([Infinity, 0.9, 0.8, 0.3, 0.1]);
    expect(Array.from(roc.tpr)).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(Array.from(roc.fpr)).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.positives).toBe(2);
    expect(roc.negatives).toBe(2);
    expect(auc(roc)).toBe(0.75);
  });

  it('tied genuine/impostor scores form one diagonal step (AUC counts the tie as 1/2)', () => {
    const roc = rocCurve([0.5, 0.5, 0.9, 0.1], [1, 0, 1, 0]);
    expect(Array.from(roc.thresholds)).toEqual([Infinity, 0.9, 0.5, 0.1]);
    expect(Array.from(roc.tpr)).toEqual([0, 0.5, 1, 1]);
    expect(Array.from(roc.fpr)).toEqual([0, 0, 0.5, 1]);
    // Mann–Whitney: pairs (G, I): (0.9,0.5) 1, (0.9,0.1) 1, (0.5,0.5) 0.5, (0.5,0.1) 1 -> 3.5/4
    expect(auc(roc)).toBe(0.875);
    expect(auc(rocCurve([1, 1, 1, 1], [1, 0, 1, 0]))).toBe(0.5);
  });

  it('distance scores are negated', () => {
    const roc = rocCurve([0.1, 0.2, 1.5, 1.7], [1, 0, 1, 0], { scoreType: 'distance' });
    expect(Array.from(roc.thresholds)).toEqual([Infinity, -0.1, -0.2, -1.5, -1.7]);
    expect(auc(roc)).toBe(0.75);
  });

  it('AUC equals the Mann–Whitney statistic on random data with ties', () => {
    const r = rng(5);
    const s = Array.from({ length: 300 }, () => Math.round(r() * 40) / 40);
    const y = s.map((v) => r() < 0.3 + 0.4 * v);
    let num = 0;
    let den = 0;
    s.forEach((a, i) => {
      if (!y[i]) return;
      s.forEach((b, j) => {
        if (y[j]) return;
        den++;
        num += a > b ? 1 : a === b ? 0.5 : 0;
      });
    });
    expect(auc(rocCurve(s, y))).toBeCloseTo(num / den, 12);
  });

  it('throws when all labels are the same, on length mismatch, N = 0 and NaN', () => {
    expect(() => rocCurve([0.1, 0.2], [true, true])).toThrow(/no impostor pairs/);
    expect(() => rocCurve([0.1, 0.2], [0, 0])).toThrow(/no genuine pairs/);
    expect(() => rocCurve([0.1, 0.2], [1])).toThrow(/scores has 2 entries, issame has 1/);
    expect(() => rocCurve([], [])).toThrow(/N = 0/);
    expect(() => rocCurve([0.1, NaN], [1, 0])).toThrow(/scores\[1\] \(pair 1\) is NaN/);
  });
});

describe('equalErrorRate', () => {
  it('perfect separation: EER 0, AUC 1', () => {
    const roc = rocCurve([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]);
    expect(auc(roc)).toBe(1);
    expect(equalErrorRate(roc)).toEqual({ eer: 0, threshold: 0.8 });
  });
  it('inverted scores: EER 1, AUC 0', () => {
    const roc = rocCurve([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]);
    expect(auc(roc)).toBe(0);
    expect(equalErrorRate(roc).eer).toBe(1);
  });
  it('exact crossing on a ROC point', () => {
    expect(equalErrorRate(rocCurve([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0]))).toEqual({ eer: 0.5, threshold: 0.8 });
  });
  it('interpolates between the bracketing points', () => {
    // G .9, I .8, G .7, I .6, I .5: FAR−FRR is −1/6 at 0.8 and +1/3 at 0.7 -> t = 1/3.
    const e = equalErrorRate(rocCurve([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 0]));
    expect(e.eer).toBeCloseTo(1 / 3, 15);
    expect(e.threshold).toBeCloseTo(0.8 - 0.1 / 3, 15);
    // A crossing inside a segment where both rates move (tied scores).
    const e2 = equalErrorRate(rocCurve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]));
    // points: (0,0) (0,.5) (.5,1) (1,1); g: -1, -.5, .5 -> halfway: FAR .25, FRR .25
    expect(e2.eer).toBeCloseTo(0.25, 15);
  });
});

describe('tarAtFar', () => {
  const genuine = [0.95, 0.9, 0.85, 0.7, 0.4];
  const impostor = [0.8, 0.6, 0.5, 0.45, 0.3, 0.2, 0.2, 0.1, 0.05, 0.0];
  const roc = rocCurve([...genuine, ...impostor], [...genuine.map(() => 1), ...impostor.map(() => 0)]);
  it('reports the best TAR with FAR ≤ target where enough impostors exist', () => {
    const [f1, f2, f3] = tarAtFar(roc, [0.1, 0.2, 0.01]);
    expect(f1).toEqual({ far: 0.1, available: true, tar: 0.8, achievedFar: 0.1, threshold: 0.7 });
    expect(f2).toEqual({ far: 0.2, available: true, tar: 0.8, achievedFar: 0.1, threshold: 0.7 });
    expect(f3).toEqual({ far: 0.01, available: false, reason: 'needs at least 100 impostor pairs, only 10 available' });
  });
  it('defaults to 1e-1 … 1e-4', () => {
    expect(tarAtFar(roc).map((t) => [t.far, t.available])).toEqual([
      [0.1, true],
      [0.01, false],
      [0.001, false],
      [0.0001, false],
    ]);
    expect(minImpostorsForFar(1e-3)).toBe(1000);
    expect(minImpostorsForFar(1e-4)).toBe(10000);
  });
  it('TAR 0 with an infinite threshold when the top score group holds too many impostors', () => {
    const r = rocCurve([0.9, 0.5, ...new Array(99).fill(0.1)], [0, 1, ...new Array(99).fill(0)]);
    expect(tarAtFar(r, [0.01])[0]).toEqual({ far: 0.01, available: true, tar: 1, achievedFar: 0.01, threshold: 0.5 });
    const r2 = rocCurve([0.9, 0.9, 0.5, ...new Array(998).fill(0.1)], [0, 0, 1, ...new Array(998).fill(0)]);
    expect(r2.negatives).toBe(1000);
    expect(tarAtFar(r2, [0.001])[0]).toEqual({ far: 0.001, available: true, tar: 0, achievedFar: 0, threshold: Infinity });
  });
  it('rejects FAR outside (0, 1]', () => {
    expect(() => tarAtFar(roc, [0])).toThrow(/FAR target/);
  });
});
