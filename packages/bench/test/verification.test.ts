import { describe, expect, it } from 'vitest';
import {
  evaluateVerification,
  evaluateVerificationDistances,
  insightfaceThresholds,
  kFoldRanges,
  mean,
  pairScores,
  pairwiseSum,
  populationStd,
} from '@fr/bench';
import { referenceProtocol, rng, syntheticPairs } from './helpers.js';

describe('insightfaceThresholds', () => {
  it('is np.arange(0, 4, 0.01): 400 values i * 0.01', () => {
    const t = insightfaceThresholds();
    expect(t).toHaveLength(400);
    expect(t[0]).toBe(0);
    expect(t[399]).toBeCloseTo(3.99, 12);
    // numpy fills start + i*step, so some values differ from i/100 in the last bit.
    expect(t[139]).toBe(1.3900000000000001);
    expect(t[7]).toBe(0.07);
    for (let i = 1; i < 400; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
  });
});

describe('kFoldRanges (sklearn KFold, shuffle=False)', () => {
  it('gives the first n % k folds one extra item', () => {
    expect(kFoldRanges(23, 10).map((f) => f.end - f.start)).toEqual([3, 3, 3, 2, 2, 2, 2, 2, 2, 2]);
    expect(kFoldRanges(600, 10).map((f) => [f.start, f.end])[3]).toEqual([180, 240]);
    const f = kFoldRanges(605, 10);
    expect(f[4]).toEqual({ index: 4, start: 244, end: 305 });
    expect(f[5]).toEqual({ index: 5, start: 305, end: 365 });
    expect(f[9]!.end).toBe(605);
  });
  it('rejects fewer items than folds', () => {
    expect(() => kFoldRanges(9, 10)).toThrow(/need at least 10 pairs/);
    expect(() => kFoldRanges(10, 1)).toThrow(/nFolds/);
  });
});

describe('numpy-compatible reductions', () => {
  it('pairwiseSum follows numpy order (8 accumulators, then the rest)', () => {
    const a = [1e16, 1, -1e16, 1, 1, 1, 1, 1, 1, 1];
    // numpy (np.sum gives 6.0): ((1e16+1)+(-1e16+1)) + ((1+1)+(1+1)) = 0 + 4, then +1 +1.
    // Each 1e16 ± 1 rounds back to ±1e16; a sequential sum gives 7.
    expect(pairwiseSum(a)).toBe(6);
    let seq = 0;
    for (const v of a) seq += v;
    expect(seq).toBe(7);
  });
  it('mean and population std', () => {
    expect(mean([0, 0, 0, 1, 1, 1, 1, 1, 1, 1])).toBeCloseTo(0.7, 15);
    expect(populationStd([0, 0, 0, 1, 1, 1, 1, 1, 1, 1])).toBeCloseTo(Math.sqrt(0.21), 15);
    expect(populationStd([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(() => mean([])).toThrow(/empty/);
  });
});

describe('evaluateVerification: hand-computed cases', () => {
  it('perfect separation; "same" needs distance < threshold (strict)', () => {
    const d = [0.5, 0.5, 0.5, 0.5, 0.5, 1.5, 1.5, 1.5, 1.5, 1.5];
    const same = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    const r = evaluateVerificationDistances(d, same);
    // At threshold 0.5 the genuine pairs (d = 0.5) are not "same"; the first perfect one is 0.51.
    expect(r.foldBestThreshold).toEqual(new Array(10).fill(insightfaceThresholds()[51]));
    expect(r.foldAccuracy).toEqual(new Array(10).fill(1));
    expect(r.accuracyMean).toBe(1);
    expect(r.accuracyStd).toBe(0);
    expect(r.folds.map((f) => f.trainAccuracy)).toEqual(new Array(10).fill(1));
    expect(r.xnorm).toBeNull();
    expect(r.genuineCount).toBe(5);
  });

  it('ties pick the first threshold; per-fold choice is made without the held-out pair', () => {
    // p0 same 0.2, p1 diff 0.6, p2 same 1.0, p3..p9 diff 3.0.
    // Train folds with p0,p1,p2: t in (0.2,0.6] and (1.0,3.0] both make one error -> first: 0.21.
    const d = [0.2, 0.6, 1.0, 3, 3, 3, 3, 3, 3, 3];
    const same = [true, false, true, false, false, false, false, false, false, false];
    const r = evaluateVerificationDistances(d, same);
    const t = insightfaceThresholds();
    expect(r.folds.map((f) => f.bestThresholdIndex)).toEqual([0, 101, 21, 21, 21, 21, 21, 21, 21, 21]);
    expect(r.foldBestThreshold).toEqual([0, t[101], t[21], t[21], t[21], t[21], t[21], t[21], t[21], t[21]]);
    expect(r.foldAccuracy).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(r.accuracyMean).toBeCloseTo(0.7, 15);
    expect(r.accuracyStd).toBeCloseTo(Math.sqrt(0.21), 15);
    expect(r.folds[3]!.trainAccuracy).toBeCloseTo(8 / 9, 15);
    expect(r.folds[0]).toMatchObject({ truePositives: 0, falseNegatives: 1, trueNegatives: 0, falsePositives: 0 });
  });

  it('all pairs genuine / all impostor', () => {
    const allSame = evaluateVerificationDistances(Array.from({ length: 20 }, (_, i) => i / 10), new Array(20).fill(true));
    // Each fold takes the first threshold above the largest training distance. For folds 0–8
    // that is 190 * 0.01 = 1.9000000000000001 > 1.9 (numpy's arange value; i/100 would give
    // 1.91); fold 9 gets 1.71 and its held-out pairs (1.8, 1.9) are both rejected.
    const t = insightfaceThresholds();
    expect(t[190]).toBe(1.9000000000000001);
    expect(t[170]).toBe(1.7);
    expect(allSame.foldBestThreshold).toEqual([...new Array(9).fill(t[190]), t[171]]);
    expect(allSame.foldAccuracy).toEqual([...new Array(9).fill(1), 0]);
    expect(allSame.accuracyMean).toBeCloseTo(0.9, 15);
    expect(allSame.accuracyStd).toBeCloseTo(0.3, 15);
    expect(allSame.impostorCount).toBe(0);
    const allDiff = evaluateVerificationDistances(Array.from({ length: 20 }, (_, i) => i / 10), new Array(20).fill(0));
    expect(allDiff.accuracyMean).toBe(1);
    expect(allDiff.foldBestThreshold).toEqual(new Array(10).fill(0));
  });

  it('nFolds = 1 (LFold): threshold chosen and measured on all pairs', () => {
    const d = [0.2, 0.6, 1.0, 3, 3, 3, 3, 3, 3, 3];
    const same = [true, false, true, false, false, false, false, false, false, false];
    const r = evaluateVerificationDistances(d, same, { nFolds: 1 });
    expect(r.folds).toHaveLength(1);
    expect(r.foldBestThreshold).toEqual([insightfaceThresholds()[21]]); // first of the two 9/10 plateaus
    expect(r.foldAccuracy).toEqual([0.9]);
    expect(r.accuracyStd).toBe(0);
    const five = evaluateVerificationDistances(d, same, { nFolds: 5 });
    expect(five.folds.map((f) => f.size)).toEqual([2, 2, 2, 2, 2]);
    expect(() => evaluateVerificationDistances(d, same, { nFolds: 0 })).toThrow(/nFolds must be a positive integer/);
  });

  it('N not divisible by 10 uses sklearn fold sizes', () => {
    const r0 = rng(7);
    const d = Array.from({ length: 23 }, () => r0() * 2.5);
    const same = d.map((v) => v < 1.2 !== r0() < 0.15);
    const r = evaluateVerificationDistances(d, same);
    expect(r.folds.map((f) => f.size)).toEqual([3, 3, 3, 2, 2, 2, 2, 2, 2, 2]);
    const ref = referenceProtocol(d, same);
    expect(r.foldBestThreshold).toEqual(ref.bestThreshold);
    expect(r.foldAccuracy).toEqual(ref.accuracy);
  });

  it('embedding = normalize(orig + flip): raw sum before normalising', () => {
    // Pair 0: orig [3, 0] + flip [0, 1] = [3, 1] -> (3, 1)/√10; partner [1, 0] both.
    const emb = [
      [3, 0],
      [1, 0],
    ];
    const flip = [
      [0, 1],
      [1, 0],
    ];
    const rows = [emb, emb, emb, emb, emb, emb, emb, emb, emb, emb].flat();
    const flips = new Array(10).fill(flip).flat() as number[][];
    const r = evaluateVerification(rows, new Array(10).fill(true), { flipped: flips });
    const expected = (3 / Math.sqrt(10) - 1) ** 2 + (1 / Math.sqrt(10)) ** 2; // 2 − 2·3/√10
    expect(r.distances[0]).toBeCloseTo(expected, 14);
    expect(r.distances[0]).toBeCloseTo(2 - 6 / Math.sqrt(10), 14);
    // Normalising separately would give 2 − 2·cos45° = 0.5858…: make sure that is not what we do.
    expect(Math.abs(r.distances[0]! - (2 - Math.SQRT2))).toBeGreaterThan(0.1);
    // XNorm: mean of raw norms of all 40 rows: orig rows 3 and 1, flip rows 1 and 1.
    expect(r.xnorm).toBeCloseTo((3 + 1 + 1 + 1) / 4, 14);
    expect(r.usedFlip).toBe(true);
    expect(r.embeddingDim).toBe(2);

    const noFlip = evaluateVerification(rows, new Array(10).fill(true));
    expect(noFlip.distances[0]).toBe(0);
    expect(noFlip.xnorm).toBe(2);
    expect(noFlip.usedFlip).toBe(false);
  });

  it('a zero embedding stays zero (sklearn normalize), distance 1 to a unit vector', () => {
    const rows: number[][] = [];
    for (let k = 0; k < 10; k++) rows.push([0, 0, 0], [0, 2, 0]);
    const r = evaluateVerification(rows, new Array(10).fill(false));
    expect(r.distances[0]).toBe(1);
  });

  it('accepts typed-array rows, a dense matrix and a tensor-like object', () => {
    const { embeddings, issame } = syntheticPairs(30, 8, 3);
    const a = evaluateVerification(embeddings, issame);
    const b = evaluateVerification(embeddings.map((r) => Float32Array.from(r)), issame);
    const dense = { data: Float32Array.from(embeddings.flat()), rows: 60, cols: 8 };
    const c = evaluateVerification(dense, issame);
    const tensorLike = { shape: [60, 8], dataSync: () => Float32Array.from(embeddings.flat()) };
    const d = evaluateVerification(tensorLike, issame.map((s) => (s ? 1 : 0)));
    for (const r of [b, c, d]) {
      expect(Array.from(r.distances)).toEqual(Array.from(a.distances));
      expect(r.accuracyMean).toBe(a.accuracyMean);
    }
  });
});

describe('evaluateVerification matches a brute-force port of insightface calculate_roc', () => {
  for (const [n, seed] of [
    [10, 1],
    [37, 2],
    [101, 3],
    [605, 4],
  ] as const) {
    it(`N = ${n}`, () => {
      const { embeddings, flipped, issame } = syntheticPairs(n, 16, seed);
      const r = evaluateVerification(embeddings, issame, { flipped });
      const ref = referenceProtocol(Array.from(r.distances), issame);
      expect(r.foldBestThreshold).toEqual(ref.bestThreshold);
      expect(r.foldAccuracy).toEqual(ref.accuracy);
      const scores = pairScores(embeddings, { flipped });
      expect(Array.from(scores.squaredL2)).toEqual(Array.from(r.distances));
      scores.cosine.forEach((c, i) => expect(c).toBeCloseTo(1 - r.distances[i]! / 2, 12));
    });
  }

  it('distances exactly on grid values (boundary ties)', () => {
    const r0 = rng(11);
    const t = insightfaceThresholds();
    const d = Array.from({ length: 57 }, () => t[Math.floor(r0() * 250)]!);
    const same = d.map((v) => v < 1.3 !== r0() < 0.2);
    const r = evaluateVerificationDistances(d, same);
    const ref = referenceProtocol(d, same);
    expect(r.foldBestThreshold).toEqual(ref.bestThreshold);
    expect(r.foldAccuracy).toEqual(ref.accuracy);
  });
});

describe('evaluateVerification: bad input', () => {
  const good = syntheticPairs(12, 4, 5);
  it('names the pair of a NaN embedding', () => {
    const e = good.embeddings.map((r) => [...r]);
    e[5]![2] = NaN;
    expect(() => evaluateVerification(e, good.issame)).toThrow(/embeddings row 5 \(pair 2, second image\).*NaN at column 2/);
    const f = good.flipped.map((r) => [...r]);
    f[8]![0] = Infinity;
    expect(() => evaluateVerification(good.embeddings, good.issame, { flipped: f })).toThrow(/embeddings_flip row 8 \(pair 4, first image\)/);
  });
  it('rejects N = 0, odd rows, N < folds, mismatched shapes and labels', () => {
    expect(() => evaluateVerification([], [])).toThrow(/N = 0/);
    expect(() => evaluateVerificationDistances([], [])).toThrow(/N = 0/);
    expect(() => evaluateVerification(good.embeddings.slice(0, 23), good.issame)).toThrow(/odd/);
    expect(() => evaluateVerification(good.embeddings.slice(0, 18), good.issame.slice(0, 9))).toThrow(/at least 10 pairs/);
    expect(() => evaluateVerification(good.embeddings, good.issame.slice(1))).toThrow(/issame has 11 entries but embeddings hold 12 pairs/);
    expect(() => evaluateVerification(good.embeddings, good.issame, { flipped: good.flipped.slice(2) })).toThrow(/embeddings_flip has shape \[22, 4\]/);
    const ragged = good.embeddings.map((r, i) => (i === 3 ? r.slice(1) : r));
    expect(() => evaluateVerification(ragged, good.issame)).toThrow(/row 3 has 3 values/);
    expect(() => evaluateVerification(good.embeddings, good.issame.map((s, i) => (i === 4 ? 2 : s)) as number[])).toThrow(/issame\[4\]/);
    expect(() => evaluateVerificationDistances([0.1, NaN, ...new Array(10).fill(1)], new Array(12).fill(true))).toThrow(/distances\[1\] \(pair 1\)/);
    expect(() => evaluateVerification({ data: [1, 2, 3], rows: 2, cols: 2 }, [true])).toThrow(/needs 4/);
    expect(() => evaluateVerificationDistances(new Array(10).fill(1), new Array(10).fill(1), { thresholds: [0, 1, 1] })).toThrow(
      /strictly increasing/,
    );
  });
});
