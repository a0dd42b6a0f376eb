import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng, cosineToCenters, selectBackend } from '@fr/core';
import { assertConforms, checkCenterBank } from '@fr/core/testing';
import { fullFC, gatherRows, partialFC, sampleClasses, subCenterFC } from '../src/index.js';
import { context } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

describe('conformance', () => {
  test('partialFC (20 classes, rate 0.5: 6 positives + 4 sampled negatives)', () => {
    assertConforms(checkCenterBank(() => partialFC({ numClasses: 20, embeddingSize: 8, sampleRate: 0.5, seed: 3 })));
  });
  test('partialFC below the positives (rate 0.2 of 20 = 4 < 6 positives: positives only)', () => {
    assertConforms(checkCenterBank(() => partialFC({ numClasses: 20, embeddingSize: 8, sampleRate: 0.2 })));
  });
  test('partialFC at rate 1 (a full FC)', () => {
    assertConforms(checkCenterBank(() => partialFC({ numClasses: 7, embeddingSize: 8, sampleRate: 1 })));
  });
  test('subCenterFC (k 3)', () => {
    assertConforms(checkCenterBank(() => subCenterFC({ numClasses: 6, embeddingSize: 8, k: 3 })));
  });
  test('fullFC (re-exported from core)', () => {
    assertConforms(checkCenterBank(() => fullFC({ numClasses: 6, embeddingSize: 8 })));
  });
});

describe('Partial FC sampling (PFC v2 semantics)', () => {
  const labels = Int32Array.from([7, 2, 7, 31, 2, 0]);

  test('all positives plus uniform negatives, sorted, targets remapped', () => {
    const { index, targets, positives } = sampleClasses(labels, 40, 12, Rng.fromSeed(1));
    expect(index.length).toBe(12);
    expect(positives).toBe(4);
    for (const p of [0, 2, 7, 31]) expect(Array.from(index)).toContain(p);
    expect(Array.from(index)).toEqual([...index].sort((a, b) => a - b));
    expect(new Set(index).size).toBe(12);
    expect(Array.from(targets, (t) => index[t])).toEqual(Array.from(labels));
    expect(index.every((c) => c >= 0 && c < 40)).toBe(true);
  });

  test('fewer samples than positives: the positives only', () => {
    const { index, targets } = sampleClasses(labels, 40, 3, Rng.fromSeed(1));
    expect(Array.from(index)).toEqual([0, 2, 7, 31]);
    expect(Array.from(targets)).toEqual([2, 1, 2, 3, 1, 0]);
  });

  test('deterministic from the seed, a fresh draw every step', () => {
    const a = Rng.fromSeed(5);
    const b = Rng.fromSeed(5);
    const drawsA = [0, 1, 2].map(() => Array.from(sampleClasses(labels, 1000, 50, a).index));
    const drawsB = [0, 1, 2].map(() => Array.from(sampleClasses(labels, 1000, 50, b).index));
    expect(drawsA).toEqual(drawsB);
    expect(drawsA[0]).not.toEqual(drawsA[1]);
    expect(Array.from(sampleClasses(labels, 1000, 50, Rng.fromSeed(6)).index)).not.toEqual(drawsA[0]);
  });

  test('negatives are uniform over the non-positive classes', () => {
    const rng = Rng.fromSeed(11);
    const numClasses = 50;
    const trials = 6000;
    const counts = new Float64Array(numClasses);
    for (let t = 0; t < trials; t++) for (const c of sampleClasses(labels, numClasses, 14, rng).index) counts[c]!++;
    const negatives = [...counts.keys()].filter((c) => ![0, 2, 7, 31].includes(c));
    const expected = (trials * (14 - 4)) / negatives.length;
    // χ² with 45 degrees of freedom: the 99.9th percentile is ≈ 80.
    const chi2 = negatives.reduce((acc, c) => acc + (counts[c]! - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(80);
    for (const p of [0, 2, 7, 31]) expect(counts[p]).toBe(trials);
  });

  test('O(numSample): 10% of 2 million classes in well under a second', () => {
    const started = performance.now();
    const { index } = sampleClasses(Int32Array.from({ length: 512 }, (_, i) => i * 3001), 2_000_000, 200_000, Rng.fromSeed(2));
    expect(index.length).toBe(200_000);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  test('the bank: sampled columns, remapped targets, gradient only to the sampled rows; evaluation uses every centre', () => {
    const bank = partialFC({ numClasses: 30, embeddingSize: 6, sampleRate: 0.3, seed: 4 });
    expect(bank.numSample).toBe(9);
    const embedding = tf.tensor2d(Rng.fromSeed(3).fillNormal(new Float32Array(6 * 6)), [6, 6]);
    const labelTensor = tf.tensor1d(labels.map((y) => y % 30), 'int32');
    const host = Int32Array.from(labels, (y) => y % 30);
    const ctx = { ...context(true, host), rng: Rng.fromSeed(9) };
    const expected = sampleClasses(host, 30, 9, Rng.fromSeed(9));
    const { value, grads } = tf.variableGrads(() => {
      const out = bank.cosine({ embedding, labels: labelTensor }, ctx);
      expect(out.cosine.shape).toEqual([6, 9]);
      expect(Array.from(out.targets.dataSync())).toEqual(Array.from(expected.targets));
      const reference = tf.gather(cosineToCenters(embedding, bank.module.weight as tf.Tensor2D), tf.tensor1d(expected.index, 'int32'), 1);
      expect(tf.max(tf.abs(tf.sub(out.cosine, reference))).dataSync()[0]).toBeLessThan(1e-6);
      return tf.sum(tf.square(out.cosine)) as tf.Scalar;
    }, [bank.module.weight]);
    const g = grads[bank.module.weight.name] as tf.Tensor2D;
    const rowNorms = tf.sum(tf.abs(g), 1).dataSync();
    const sampled = new Set(expected.index);
    rowNorms.forEach((v, row) => (sampled.has(row) ? expect(v).toBeGreaterThan(0) : expect(v).toBe(0)));
    const evaluation = bank.cosine({ embedding, labels: labelTensor }, context(false, host));
    expect(evaluation.cosine.shape).toEqual([6, 30]);
    expect(evaluation.targets).toBe(labelTensor);
    tf.dispose([value, g, embedding, labelTensor, evaluation.cosine]);
    bank.dispose!();
  });

  test('gatherRows: the values and gradient of tf.gather', () => tf.tidy(() => {
    const w = tf.tensor2d(Rng.fromSeed(1).fillNormal(new Float32Array(10 * 3)), [10, 3]);
    const index = tf.tensor1d([1, 4, 4, 9], 'int32');
    const probe = tf.tensor2d(Rng.fromSeed(2).fillNormal(new Float32Array(4 * 3)), [4, 3]);
    const f = (gather: (x: tf.Tensor2D) => tf.Tensor) => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gather(x as tf.Tensor2D), probe)))(w);
    expect(gatherRows(w, index).arraySync()).toEqual(tf.gather(w, index).arraySync());
    expect(f((x) => gatherRows(x, index)).arraySync()).toEqual(f((x) => tf.gather(x, index)).arraySync());
  }));

  test('rejects bad options', () => {
    expect(() => partialFC({ numClasses: 10, embeddingSize: 4, sampleRate: 0 })).toThrow(/sampleRate must be in \(0, 1\]/);
    expect(() => partialFC({ numClasses: 10, embeddingSize: 4, sampleRate: 1.5 })).toThrow(/sampleRate/);
    expect(() => partialFC({ numClasses: 1, embeddingSize: 4, sampleRate: 0.5 })).toThrow(/numClasses/);
  });
});

describe('subCenterFC', () => {
  test('cosine to a class = max over its K sub-centres (class-major rows)', () => tf.tidy(() => {
    const bank = subCenterFC({ numClasses: 4, embeddingSize: 5, k: 3, seed: 2 });
    const embedding = tf.tensor2d(Rng.fromSeed(8).fillNormal(new Float32Array(3 * 5)), [3, 5]);
    const out = bank.cosine({ embedding, labels: tf.tensor1d([0, 3, 1], 'int32') }, context(true, [0, 3, 1]));
    const all = cosineToCenters(embedding, bank.module.weight as tf.Tensor2D).arraySync();
    const got = out.cosine.arraySync();
    for (let i = 0; i < 3; i++) {
      for (let c = 0; c < 4; c++) expect(got[i]![c]).toBeCloseTo(Math.max(...all[i]!.slice(c * 3, c * 3 + 3)), 6);
    }
    expect(bank.module.weight.shape).toEqual([12, 5]);
    bank.dispose!();
  }));
});
