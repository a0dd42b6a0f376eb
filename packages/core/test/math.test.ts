import { beforeAll, describe, expect, test } from 'vitest';
import {
  tf, selectBackend, l2Normalize, cosineToCenters, constantOf, safeSine, safeAcos, replaceTargetLogit, softmaxCrossEntropy, pairwiseEuclidean, detach, straightThrough,
} from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

describe('shared math', () => {
  test('l2Normalize: unit rows, zero row stays zero with a finite gradient', () => {
    const x = tf.tensor2d([[3, 4], [0, 0]]);
    expect(arr(l2Normalize(x))).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(l2Normalize(v)))(x);
    expect(arr(g).every(Number.isFinite)).toBe(true);
  });

  test('cosineToCenters is clamped to [−1, 1] for parallel rows', () => {
    const w = tf.tensor2d([[0.1, 0.2, 0.3], [1, -1, 0]]);
    const e = tf.mul(w, 7) as tf.Tensor2D;
    const cos = arr(cosineToCenters(e, w));
    expect(cos.every((c) => c <= 1 && c >= -1)).toBe(true);
    expect(cos[0]).toBeCloseTo(1, 6);
  });

  test('safeSine and safeAcos have finite gradients at cos = ±1', () => {
    const c = tf.tensor1d([1, -1, 0.5]);
    const gs = tf.grad((v: tf.Tensor) => tf.sum(safeSine(v)))(c);
    const ga = tf.grad((v: tf.Tensor) => tf.sum(safeAcos(v)))(c);
    expect(arr(gs).every(Number.isFinite)).toBe(true);
    expect(arr(ga).every(Number.isFinite)).toBe(true);
    expect(arr(gs)[2]).toBeCloseTo(-0.5 / Math.sqrt(0.75), 5);
  });

  test('replaceTargetLogit changes only the target entries', () => {
    const cos = tf.tensor2d([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]);
    const out = arr(replaceTargetLogit(cos, tf.tensor1d([2, 0], 'int32'), tf.tensor1d([-1, 2]), 10));
    [1, 2, -10, 20, 5, 6].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 5));
  });

  test('softmaxCrossEntropy: exact, and the insightface clamp changes the value but not the gradient', () => {
    const logits = tf.tensor2d([[0, 100, 0], [1, 2, 3]]);
    const y = tf.tensor1d([0, 2], 'int32');
    const exact = arr(softmaxCrossEntropy(logits, y));
    expect(exact[0]).toBeCloseTo(100, 3);
    const clamped = arr(softmaxCrossEntropy(logits, y, { minProbability: 1e-30 }));
    expect(clamped[0]).toBeCloseTo(-Math.log(1e-30), 3);
    expect(clamped[1]).toBeCloseTo(exact[1] as number, 6);
    const g1 = arr(tf.grad((z: tf.Tensor) => tf.sum(softmaxCrossEntropy(z as tf.Tensor2D, y)))(logits));
    const g2 = arr(tf.grad((z: tf.Tensor) => tf.sum(softmaxCrossEntropy(z as tf.Tensor2D, y, { minProbability: 1e-30 })))(logits));
    g1.forEach((v, i) => expect(g2[i]).toBeCloseTo(v, 6));
  });

  test('pairwiseEuclidean: exact zeros for duplicates, finite gradient there', () => {
    const x = tf.tensor2d([[1, 2], [1, 2], [4, 6]]);
    const d = arr(pairwiseEuclidean(x));
    expect(d).toEqual([0, 0, 5, 0, 0, 5, 5, 5, 0]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(pairwiseEuclidean(v as tf.Tensor2D)))(x);
    expect(arr(g).every(Number.isFinite)).toBe(true);
  });

  test('detach blocks the gradient; straightThrough passes it unchanged', () => {
    const x = tf.tensor1d([0.3, -0.2]);
    expect(arr(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(detach(v), v)))(x))).toEqual(arr(x));
    expect(arr(tf.grad((v: tf.Tensor) => tf.sum(straightThrough(v, (u) => tf.cos(u))))(x))).toEqual([1, 1]);
  });
});

describe('constantOf', () => {
  test('works when fn changes the shape (its zero gradient has the input shape)', () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const g = tf.grad((v: tf.Tensor) => tf.add(tf.sum(v), constantOf(v, (u) => tf.sum(tf.cast(tf.greater(u, 0), 'float32')))))(x);
    expect(arr(g)).toEqual([1, 1, 1]);
  });
});
