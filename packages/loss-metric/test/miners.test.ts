import { beforeAll, describe, expect, test } from 'vitest';
import { tf, l2Normalize, selectBackend } from '@fr/core';
import {
  batchAllMiner, batchHardMiner, semiHardMiner, pairwiseDistances, tripletMarginLoss, tripletLoss,
  type TripletMiner, type Triplets, type TripletDistance,
} from '../src/index.js';
import {
  batchAllRef, batchHardRef, semiHardRef, distancesOf, randomBatch, reduce, tripletLosses, key,
  type Matrix, type Triplet,
} from './reference.js';
import { runTerms } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** Valid slots of mined triplets, as (a, p, n) lists. */
function chosen(t: Triplets): Triplet[] {
  const [a, p, n, v] = [t.anchor, t.positive, t.negative, t.valid].map((x) => x.dataSync());
  const out: Triplet[] = [];
  for (let i = 0; i < v!.length; i++) if (v![i] === 1) out.push([a![i]!, p![i]!, n![i]!]);
  return out;
}

/** float32 sums vs float64: relative 1e-6 with an absolute floor. */
const expectClose = (got: number, want: number): void => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(want));

const toMatrix = (d: tf.Tensor2D): Matrix => d.arraySync();

// Batches of several shapes: balanced, unbalanced, an identity with one image (its anchor has no positive).
const BATCHES: [number, number[]][] = [
  [1, [3, 3, 3, 3]],
  [2, [4, 2, 3]],
  [3, [2, 2, 2, 2, 2, 2]],
  [4, [5, 1, 3, 1]],
  [5, [6, 6]],
];
const MINERS: [string, TripletMiner, (d: Matrix, y: Int32Array, margin: number) => Triplet[], 'mean' | 'mean-nonzero'][] = [
  ['batch-hard', batchHardMiner, (d, y) => batchHardRef(d, y), 'mean'],
  ['batch-all', batchAllMiner, (d, y) => batchAllRef(d, y), 'mean-nonzero'],
  ['semi-hard', semiHardMiner, semiHardRef, 'mean'],
];

describe('pairwise distances', () => {
  test.each(['squared', 'euclidean'] as TripletDistance[])('%s distances match a float64 reference', (distance) => {
    const { rows } = randomBatch(9, [3, 3, 2], 5);
    const d = tf.tidy(() => pairwiseDistances(tf.tensor2d(rows), distance).arraySync());
    const ref = distancesOf(rows, distance === 'squared');
    d.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(ref[i]![j]!, 4)));
    d.forEach((row, i) => expect(row[i]).toBe(0));
  });
});

describe.each(MINERS)('%s miner', (_name, miner, reference, reduction) => {
  test.each(BATCHES)('chooses the brute-force triplets and gives the same loss (batch %i)', (seed, counts) => {
    for (const distance of ['squared', 'euclidean'] as TripletDistance[]) {
      for (const margin of [0.2, 0.5]) {
        tf.tidy(() => {
          const { labels, rows } = randomBatch(seed, counts, 4);
          const x = l2Normalize(tf.tensor2d(rows));
          const distances = pairwiseDistances(x, distance);
          const triplets = miner({ distances, labels: tf.tensor1d(labels, 'int32'), margin });
          const d = toMatrix(distances);
          const want = reference(d, labels, margin);
          expect(chosen(triplets).map(key).sort()).toEqual(want.map(key).sort());

          const losses = tripletLosses(d, want, margin);
          for (const r of ['mean', 'mean-nonzero', 'sum'] as const) {
            const out = tripletMarginLoss(distances, triplets, { margin, reduction: r });
            expectClose(out.loss.dataSync()[0]!, reduce(losses, r));
            expect(out.count.dataSync()[0]).toBe(want.length);
            expect(out.activeFraction.dataSync()[0]).toBeCloseTo(losses.filter((l) => l > 0).length / want.length, 6);
          }
          // The plugin: same embeddings, its default reduction for this miner.
          const plugin = tripletLoss({ miner, margin, distance, reduction, requireMPerClass: false });
          const term = runTerms(plugin, tf.tensor2d(rows), labels).terms.loss!;
          expectClose(term.dataSync()[0]!, reduce(losses, reduction));
        });
      }
    }
  });
});

describe('miner details', () => {
  test('batch-hard: one slot per anchor; anchors without a positive are invalid', () => {
    tf.tidy(() => {
      const labels = Int32Array.from([0, 0, 1, 2, 2, 2]);
      const x = tf.tensor2d([[0, 0], [1, 0], [0, 3], [5, 0], [5, 1], [5, 3]]);
      const t = batchHardMiner({ distances: pairwiseDistances(x, 'euclidean'), labels: tf.tensor1d(labels, 'int32'), margin: 0.2 });
      expect(t.valid.shape).toEqual([6]);
      expect(Array.from(t.valid.dataSync())).toEqual([1, 1, 0, 1, 1, 1]);
      // Anchor 3 at (5,0): farthest positive is 5 (5,3); closest negative is 1 (1,0).
      expect(chosen(t).find(([a]) => a === 3)).toEqual([3, 5, 1]);
    });
  });

  test('semi-hard: picks the closest negative inside (d_ap, d_ap + α), else the hardest negative', () => {
    tf.tidy(() => {
      // On a line: anchor 0 at 0, positive 1 at 1 (d_ap = 1). Negatives at 0.5 (hard), 1.1 and 1.15 (semi-hard), 3 (easy).
      const labels = tf.tensor1d([0, 0, 1, 1, 1, 1], 'int32');
      const x = tf.tensor2d([[0], [1], [0.5], [1.15], [1.1], [3]]);
      const t = semiHardMiner({ distances: pairwiseDistances(x, 'euclidean'), labels, margin: 0.2 });
      const triplets = chosen(t);
      expect(triplets.find(([a, p]) => a === 0 && p === 1)).toEqual([0, 1, 4]); // 1.1 < 1.15
      // With α = 0.05 nothing lies in (1, 1.05): fall back to the hardest negative (0.5, index 2).
      const fallback = chosen(semiHardMiner({ distances: pairwiseDistances(x, 'euclidean'), labels, margin: 0.05 }));
      expect(fallback.find(([a, p]) => a === 0 && p === 1)).toEqual([0, 1, 2]);
    });
  });

  test('mined triplets are constants: the tape accepts miners built from comparisons', () => {
    const { labels, rows } = randomBatch(3, [3, 3, 3], 4);
    for (const [, miner] of MINERS) {
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => {
        const d = pairwiseDistances(x as tf.Tensor2D, 'euclidean');
        return tripletMarginLoss(d, miner({ distances: d, labels: tf.tensor1d(labels, 'int32'), margin: 0.2 }), { margin: 0.2, reduction: 'mean' }).loss;
      })(tf.tensor2d(rows)).dataSync());
      expect(Array.from(g).every(Number.isFinite)).toBe(true);
      expect(Array.from(g).some((v) => v !== 0)).toBe(true);
    }
  });
});

describe('batch-all reports the fraction of active triplets', () => {
  test('activeFraction falls to 0 when every triplet satisfies the margin', () => {
    tf.tidy(() => {
      // Two tight clusters far apart: no triplet violates α = 0.2.
      const x = tf.tensor2d([[1, 0], [1, 0.01], [1, -0.01], [-1, 0], [-1, 0.01], [-1, -0.01]]);
      const plugin = tripletLoss({ miner: 'batch-all', requireMPerClass: false });
      const out = runTerms(plugin, x, [0, 0, 0, 1, 1, 1]);
      expect(out.terms.loss!.dataSync()[0]).toBe(0);
      expect((out.metrics!.activeFraction as tf.Scalar).dataSync()[0]).toBe(0);
      expect((out.metrics!.triplets as tf.Scalar).dataSync()[0]).toBe(3 * 2 * 3 * 2);
    });
  });
});
