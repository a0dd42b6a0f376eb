import { beforeAll, describe, expect, test } from 'vitest';
import {
  tf, createTrainer, CompositionError, defineMargin, fullFC, selectBackend, syntheticIdentities, l2Normalize,
} from '@fr/core';
import { assertConforms, checkGradients, checkLossPlugin, tinyBackbone } from '@fr/core/testing';
import {
  batchAllMiner, batchHardMiner, semiHardMiner, pairwiseDistances, tripletLoss, tripletMarginLoss, mPerClassDataset,
  type TripletDistance, type TripletMining,
} from '../src/index.js';
import { distancesOf, kinkGap, lossKitFixture, normalizeRows, randomBatch } from './reference.js';
import { runTerms } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const MININGS: TripletMining[] = ['batch-hard', 'batch-all', 'semi-hard'];
const DISTANCES: TripletDistance[] = ['squared', 'euclidean'];

describe('conformance kit (cpu, exact gradients)', () => {
  // The kit's fixture for seed 19: 12 samples over 3 identities, so every anchor has positives and
  // negatives. The loss has kinks (batch-hard's max/min, semi-hard's window edges, the hinge, and
  // batch-all's count of active triplets); this fixture is checked below to sit ≥ 2.5e-3 away from
  // all of them, far more than the finite-difference step (1e-4 in the input) can move a distance.
  const KIT = { seed: 19, batchSize: 12, numClasses: 3, embeddingSize: 8 } as const;

  test('the kit\'s fixture is away from every kink', () => {
    const { labels, rows } = lossKitFixture(KIT.seed, KIT.batchSize, KIT.numClasses, KIT.embeddingSize);
    for (const distance of DISTANCES) {
      for (const miner of MININGS) {
        expect(kinkGap(distancesOf(normalizeRows(rows), distance === 'squared'), labels, 0.2, miner), `${miner}, ${distance}`).toBeGreaterThan(2.5e-3);
      }
    }
  });

  test.each(MININGS.flatMap((m) => DISTANCES.map((d) => [m, d] as const)))('%s, %s distances', (miner, distance) => {
    const report = checkLossPlugin(() => tripletLoss({ miner, distance, requireMPerClass: false }), {
      ...KIT, gradient: 'exact', gradientCheck: { eps: 1e-4 },
    });
    assertConforms(report);
    expect(report.checks.map((c) => c.name)).toEqual(['shapes', 'gradient', 'nan-safety', 'determinism', 'no-leak', 'state']);
  });

  test('tape gradients match finite differences on more batches checked to be away from kinks', () => {
    const margin = 0.2;
    for (const distance of DISTANCES) {
      for (const seed of [24, 39, 40]) {
        const { labels, rows } = randomBatch(seed, [3, 3, 2], 6);
        const y = tf.tensor1d(labels, 'int32');
        for (const [mining, miner] of [['batch-hard', batchHardMiner], ['batch-all', batchAllMiner], ['semi-hard', semiHardMiner]] as const) {
          const gap = kinkGap(distancesOf(normalizeRows(rows), distance === 'squared'), labels, margin, mining);
          expect(gap, `${mining}, ${distance}, seed ${seed}`).toBeGreaterThan(1e-3);
          const reduction = mining === 'batch-all' ? 'mean-nonzero' : 'mean';
          const f = (x: tf.Tensor): tf.Scalar => {
            const dist = pairwiseDistances(l2Normalize(x as tf.Tensor2D), distance);
            return tripletMarginLoss(dist, miner({ distances: dist, labels: y, margin }), { margin, reduction }).loss;
          };
          const x = tf.tensor2d(rows);
          checkGradients(f, [x], { eps: 1e-4, directions: 6 });
          x.dispose();
        }
        y.dispose();
      }
    }
  });
});

describe('NaN safety', () => {
  test.each(MININGS.flatMap((m) => DISTANCES.map((d) => [m, d] as const)))('duplicate and zero embeddings: %s, %s', (miner, distance) => {
    const plugin = tripletLoss({ miner, distance, requireMPerClass: false });
    const labels = [0, 0, 0, 1, 1, 1, 2, 2];
    const base = tf.tensor2d(Array.from({ length: 8 }, (_, i) => [Math.sin(i + 1), Math.cos(2 * i), i % 3 - 1, 0.5]));
    const cases: [string, tf.Tensor2D][] = [
      ['all identical', tf.tile(tf.slice(base, [0, 0], [1, -1]), [8, 1]) as tf.Tensor2D],
      // Duplicates within an identity (d(a,p) = 0), across identities (d(a,n) = 0), and a zero row.
      ['duplicates', tf.concat([tf.slice(base, [0, 0], [1, -1]), tf.slice(base, [0, 0], [3, -1]), tf.slice(base, [2, 0], [1, -1]), tf.zeros([1, 4]), tf.slice(base, [5, 0], [2, -1])]) as tf.Tensor2D],
    ];
    for (const [what, x] of cases) {
      const [value, grad] = tf.tidy(() => {
        const f = (e: tf.Tensor) => runTerms(plugin, e as tf.Tensor2D, labels).terms.loss!;
        const { value, grad } = tf.valueAndGrad(f)(x);
        return [value.dataSync()[0]!, Array.from(grad.dataSync())];
      });
      expect(Number.isFinite(value), `${what}: loss ${value}`).toBe(true);
      expect(grad.every(Number.isFinite), `${what}: gradient ${grad}`).toBe(true);
    }
    if (miner !== 'batch-all') {
      // All identical: every distance is 0, each valid triplet costs exactly α.
      const x = cases[0]![1];
      expect(runTerms(plugin, x, labels).terms.loss!.dataSync()[0]).toBeCloseTo(0.2, 6);
    }
    tf.dispose([base, ...cases.map((c) => c[1])]);
  });
});

describe('batches without triplets', () => {
  test('a batch without any positive pair is a clear error', () => {
    const plugin = tripletLoss({ requireMPerClass: false });
    const x = tf.randomNormal([4, 8]) as tf.Tensor2D;
    expect(() => runTerms(plugin, x, [0, 1, 2, 3]))
      .toThrow(/loss plugin "triplet": no triplet can be formed from this batch: no two of its 4 images share a label/);
    expect(() => runTerms(plugin, x, [5, 5, 5, 5]))
      .toThrow(/all 4 images have the same label, so there is no negative/);
    const lenient = tripletLoss({ requireMPerClass: false, onNoTriplet: 'zero' });
    const g = tf.grad((e: tf.Tensor) => runTerms(lenient, e as tf.Tensor2D, [0, 1, 2, 3]).terms.loss!)(x);
    expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
  });

  test('requires batch:m-per-class by default; the trainer names the plugin and the missing capability', () => {
    const dataset = syntheticIdentities({ numClasses: 4, imagesPerClass: 4, inputSize: 16 });
    const base = { backbone: tinyBackbone({ inputSize: 16 }), dataset, config: { batchSize: 8, steps: 1, optimizer: { type: 'sgd' as const, lr: 0.1 }, log: { progress: false } } };
    expect(() => createTrainer({ ...base, losses: [tripletLoss()] })).toThrow(CompositionError);
    expect(() => createTrainer({ ...base, losses: [tripletLoss()] })).toThrow(/loss plugin "triplet" requires "batch:m-per-class": the dataset does not promise it/);
    expect(() => createTrainer({ ...base, losses: [tripletLoss({ requireMPerClass: false })] }).dispose()).not.toThrow();
    const wrapped = mPerClassDataset({ ...dataset, getImage: dataset.image }, { m: 2 });
    expect(() => createTrainer({ ...base, dataset: wrapped, losses: [tripletLoss()] }).dispose()).not.toThrow();
  });

  test('options are validated', () => {
    expect(() => tripletLoss({ miner: 'hardest' as never })).toThrow(/unknown miner "hardest"/);
    expect(() => tripletLoss({ margin: -1 })).toThrow(/margin/);
    expect(() => tripletLoss({ distance: 'cosine' as never })).toThrow(/distance/);
  });

  test('works next to a softmax head, weighted', () => {
    const numClasses = 4;
    const source = syntheticIdentities({ numClasses, imagesPerClass: 4, inputSize: 16 });
    const trainer = createTrainer({
      backbone: tinyBackbone({ inputSize: 16 }),
      centers: fullFC({ numClasses, embeddingSize: 16 }),
      margin: defineMargin({ name: 'softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 16) as tf.Tensor2D }) }),
      losses: [tripletLoss({ weight: 0.5 })],
      dataset: mPerClassDataset({ ...source, getImage: source.image }, { m: 4 }),
      config: { batchSize: 8, steps: 2, optimizer: { type: 'sgd', lr: 0.05 }, log: { progress: false } },
    });
    const terms: string[] = [];
    trainer.on('step', (e) => terms.push(Object.keys(e.terms).join(',') + '|' + Object.keys(e.metrics).join(',')));
    return trainer.fit({ handleSigint: false }).then(() => {
      trainer.dispose();
      expect(terms[0]).toBe('ce,triplet/loss|triplet/activeFraction,triplet/triplets,triplet/positiveDistance,triplet/negativeDistance');
    });
  });
});
