import { beforeAll, describe, expect, test } from 'vitest';
import { tf, selectBackend, softmaxCrossEntropy, type MarginPlugin } from '@fr/core';
import { checkGradients } from '@fr/core/testing';
import { adaface, arcface, combinedMargin, cosface, curricularFace, magface, sphereface } from '../src/index.js';
import { context, headOn, rows } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const close = (actual: number, expected: number, tol = 1e-4) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));

/** The classic th/mm ArcFace target in float64. */
const arcExact = (c: number, m: number) => (c > Math.cos(Math.PI - m) ? Math.cos(Math.acos(c) + m) : c - m * Math.sin(m));

/** d logits[i][target] / d cos[i][target] of a head, by the tape. */
function targetSlope(margin: MarginPlugin, cos: number[][], targets: number[]): number[] {
  return tf.tidy(() => {
    const y = tf.tensor1d(targets, 'int32');
    const onehot = tf.oneHot(y, cos[0]!.length);
    const g = tf.grad((c: tf.Tensor) => tf.sum(tf.mul(margin.logits({
      cosine: c as tf.Tensor2D, targets: y, embedding: tf.zeros([cos.length, 2]), embeddingNorm: tf.ones([cos.length]),
    }, context(true, targets)).logits, onehot)))(tf.tensor2d(cos));
    return Array.from(tf.sum(tf.mul(g, onehot), 1).dataSync());
  });
}

describe('arcface', () => {
  const cos = [[0.8, 0.1, -0.2], [-0.95, 0.3, 0.2], [0.3, -0.1, 0.5], [-0.3, 0.6, 0.0]];
  const targets = [0, 0, 2, 0];

  test('exact: s·φ with the th/mm fallback on the target, s·cos elsewhere', () => tf.tidy(() => {
    const logits = rows(headOn(arcface(), cos, targets).logits);
    cos.forEach((row, i) => row.forEach((c, j) => close(logits[i]![j]!, 64 * (j === targets[i] ? arcExact(c, 0.5) : c))));
    // −0.95 < cos(π − 0.5) = −0.8776: the fallback branch cos − m·sin m.
    close(logits[1]![0]!, 64 * (-0.95 - 0.5 * Math.sin(0.5)));
  }));

  test('exact: the true gradient s·(cos m + cos·sin m / sin θ) above the threshold', () => tf.tidy(() => {
    const slope = targetSlope(arcface(), cos, targets);
    const c = 0.8;
    close(slope[0]!, 64 * (Math.cos(0.5) + (c * Math.sin(0.5)) / Math.sqrt(1 - c * c)), 1e-3);
    close(slope[1]!, 64, 1e-5); // fallback: cos − m·sin m has slope 1
  }));

  test('easy margin: φ only where cos > 0', () => tf.tidy(() => {
    const logits = rows(headOn(arcface({ easyMargin: true }), cos, targets).logits);
    close(logits[0]![0]!, 64 * Math.cos(Math.acos(0.8) + 0.5));
    close(logits[1]![0]!, 64 * -0.95);
    close(logits[3]![0]!, 64 * -0.3);
  }));

  test('straight-through: forward s·cos(θ + m) without fallback, ∂logit/∂cos = s', () => tf.tidy(() => {
    const head = arcface({ gradient: 'straight-through' });
    const logits = rows(headOn(head, cos, targets).logits);
    close(logits[1]![0]!, 64 * Math.cos(Math.acos(-0.95) + 0.5));
    for (const g of targetSlope(head, cos, targets)) close(g, 64, 1e-6);
  }));

  test('finite at cos = ±1', () => tf.tidy(() => {
    for (const head of [arcface(), arcface({ easyMargin: true }), arcface({ gradient: 'straight-through' })]) {
      const edge = [[1, 0], [-1, 0], [0, 1], [0, -1]];
      const values = rows(headOn(head, edge, [0, 0, 0, 0]).logits).flat();
      expect(values.every(Number.isFinite)).toBe(true);
      expect(targetSlope(head, edge, [0, 0, 0, 0]).every(Number.isFinite)).toBe(true);
    }
  }));

  test('rejects bad options', () => {
    expect(() => arcface({ s: 0 })).toThrow(/s must be a number > 0/);
    expect(() => arcface({ m: -0.1 })).toThrow(/m must be a number ≥ 0/);
    expect(() => arcface({ gradient: 'straight-through', easyMargin: true })).toThrow(/easyMargin/);
    expect(() => arcface({ gradient: 'exactly' as never })).toThrow(/gradient must be/);
  });
});

describe('cosface and combined margin', () => {
  const cos = [[0.7, 0.2], [0.1, -0.4], [0.999, 0.5]];
  const targets = [0, 1, 0];

  test('cosface: s·(cos − m); default m 0.4', () => tf.tidy(() => {
    const logits = rows(headOn(cosface(), cos, targets).logits);
    close(logits[0]![0]!, 64 * (0.7 - 0.4));
    close(logits[0]![1]!, 64 * 0.2);
    close(logits[1]![1]!, 64 * (-0.4 - 0.4));
  }));

  test('combined: s·(cos(m1·θ + m2) − m3) with θ from the clamped cosine', () => tf.tidy(() => {
    const logits = rows(headOn(combinedMargin({ m1: 0.9, m2: 0.4, m3: 0.15 }), cos, targets).logits);
    cos.forEach((row, i) => close(logits[i]![targets[i]!]!, 64 * (Math.cos(0.9 * Math.acos(row[targets[i]!]!) + 0.4) - 0.15), 2e-4));
  }));

  test('combined with m1 = 1, m2 = 0 is CosFace', () => tf.tidy(() => {
    expect(rows(headOn(combinedMargin({ m2: 0, m3: 0.35 }), cos, targets).logits)).toEqual(rows(headOn(cosface({ m: 0.35 }), cos, targets).logits));
  }));
});

describe('sphereface', () => {
  test('ψ(θ) = (−1)^k·cos(mθ) − 2k on the target, gradient s everywhere', () => tf.tidy(() => {
    const cos = [[Math.cos(2.5), 0.3], [0.9, 0.1], [-1, 0.2]];
    const targets = [0, 0, 0];
    const head = sphereface();
    const logits = rows(headOn(head, cos, targets).logits);
    const psi = (theta: number) => {
      const k = Math.floor((1.5 * theta) / Math.PI);
      return (k % 2 === 0 ? 1 : -1) * Math.cos(1.5 * theta) - 2 * k;
    };
    close(logits[0]![0]!, 30 * psi(2.5), 2e-4); // k = 1
    close(logits[1]![0]!, 30 * psi(Math.acos(0.9)), 2e-4); // k = 0
    close(logits[2]![0]!, 30 * psi(Math.acos(-1 + 1e-5)), 2e-3);
    close(logits[0]![1]!, 30 * 0.3);
    for (const g of targetSlope(head, cos, targets)) close(g, 30, 1e-6);
  }));
});

describe('curricularFace', () => {
  const cos = [[0.5, 0.9, 0.1], [0.7, 0.2, 0.75]];
  const targets = [0, 0];

  test('t ← 0.01·mean(cos_y) + 0.99·t in training only; hard negatives become cos·(t + cos)', () => tf.tidy(() => {
    const head = curricularFace();
    const readT = () => (head.getState!().tensors!.t as tf.Tensor).dataSync()[0]!;
    expect(readT()).toBe(0);
    headOn(head, cos, targets, { training: false });
    expect(readT()).toBe(0);
    const logits = rows(headOn(head, cos, targets).logits);
    const t = 0.01 * ((0.5 + 0.7) / 2);
    close(readT(), t, 1e-6);
    const phi = (c: number) => Math.cos(Math.acos(c) + 0.5);
    // Row 0: cos(θ_y + m) = 0.0451…: 0.9 and 0.1 are hard. Row 1: phi(0.7) = 0.2629: only 0.75 is hard.
    close(logits[0]![1]!, 64 * 0.9 * (t + 0.9));
    close(logits[0]![2]!, 64 * 0.1 * (t + 0.1));
    close(logits[1]![1]!, 64 * 0.2);
    close(logits[1]![2]!, 64 * 0.75 * (t + 0.75));
    close(logits[0]![0]!, 64 * phi(0.5));
    headOn(head, cos, targets);
    close(readT(), 0.01 * 0.6 + 0.99 * t, 1e-6);
    head.dispose!();
  }));

  test('exact gradient for a fixed t (evaluation calls after warm-up)', () => {
    const head = curricularFace({ s: 16 });
    for (let i = 0; i < 50; i++) tf.tidy(() => {
      headOn(head, [[0.9, 0.2, 0.1], [0.8, 0.3, 0.2]], [0, 0]);
    });
    const y = tf.tensor1d([1, 2, 0], 'int32');
    const loss = (c: tf.Tensor) => tf.mean(softmaxCrossEntropy(head.logits({
      cosine: c as tf.Tensor2D, targets: y, embedding: tf.zeros([3, 2]), embeddingNorm: tf.ones([3]),
    }, context(false, [1, 2, 0])).logits, y)) as tf.Scalar;
    const cos = tf.tensor2d([[0.6, 0.3, 0.55], [0.1, 0.4, -0.2], [0.2, 0.45, 0.3]]);
    expect(checkGradients(loss, [cos], { eps: 1e-3 })).toMatch(/match/);
    tf.dispose([y, cos]);
    head.dispose!();
  });
});

describe('adaface', () => {
  test('EMA statistics, margin scaler and target follow head.py', () => tf.tidy(() => {
    const head = adaface({ h: 0.333, m: 0.4 });
    const norms = [10, 30, 25];
    const cos = [[0.6, 0.1], [0.2, 0.5], [0.999999, -0.3]];
    const targets = [0, 1, 0];
    const logits = rows(headOn(head, cos, targets, { norms }).logits);
    const state = head.getState!().tensors!;
    const mean = (10 + 30 + 25) / 3;
    const std = Math.sqrt(norms.reduce((acc, n) => acc + (n - mean) ** 2, 0) / 2); // unbiased, as torch.std
    const mu = 0.01 * mean + 0.99 * 20;
    const sigma = 0.01 * std + 0.99 * 100;
    close((state.batchMean as tf.Tensor).dataSync()[0]!, mu, 1e-5);
    close((state.batchStd as tf.Tensor).dataSync()[0]!, sigma, 1e-4);
    const clampCos = (c: number) => Math.min(1 - 1e-3, Math.max(-1 + 1e-3, c));
    norms.forEach((n, i) => {
      const ms = Math.max(-1, Math.min(1, (0.333 * (n - mu)) / (sigma + 1e-3)));
      const theta = Math.acos(clampCos(cos[i]![targets[i]!]!));
      const thetaM = Math.min(Math.PI - 1e-3, Math.max(1e-3, theta - 0.4 * ms));
      close(logits[i]![targets[i]!]!, 64 * (Math.cos(thetaM) - (0.4 + 0.4 * ms)), 2e-4);
    });
    close(logits[0]![1]!, 64 * 0.1);
    close(logits[2]![1]!, 64 * -0.3);
    head.dispose!();
  }));

  test('norms are detached: exact gradient w.r.t. the cosines for fixed norms and statistics', () => {
    const head = adaface({ h: 1, tAlpha: 1 });
    tf.tidy(() => {
      headOn(head, [[0.5, 0.2], [0.1, 0.3], [0.3, 0.3]], [0, 1, 0], { norms: [5, 20, 40] });
    });
    const y = tf.tensor1d([0, 1, 1], 'int32');
    const norm = tf.tensor1d([5, 22, 40]);
    const loss = (c: tf.Tensor) => tf.mean(softmaxCrossEntropy(head.logits({
      cosine: c as tf.Tensor2D, targets: y, embedding: tf.zeros([3, 2]), embeddingNorm: norm,
    }, context(false, [0, 1, 1])).logits, y)) as tf.Scalar;
    const cos = tf.tensor2d([[0.6, 0.3], [0.1, 0.4], [0.2, -0.45]]);
    expect(checkGradients(loss, [cos])).toMatch(/match/);
    // The embedding norm gets no gradient (detached, as in the reference).
    const gNorm = tf.grad((n: tf.Tensor) => tf.sum(head.logits({
      cosine: cos as tf.Tensor2D, targets: y, embedding: tf.zeros([3, 2]), embeddingNorm: n as tf.Tensor1D,
    }, context(false, [0, 1, 1])).logits))(norm);
    expect(Array.from(gNorm.dataSync())).toEqual([0, 0, 0]);
    tf.dispose([y, norm, cos, gNorm]);
    head.dispose!();
  });
});

describe('magface', () => {
  test('margin m(a) grows with the magnitude; term g = λ·mean(a/u_a² + 1/a)', () => tf.tidy(() => {
    const head = magface();
    const norms = [5, 60, 200];
    const cos = [[0.8, 0.1], [0.8, 0.1], [0.8, 0.1]];
    const out = headOn(head, cos, [0, 0, 0], { norms });
    const logits = rows(out.logits);
    const a = norms.map((n) => Math.min(110, Math.max(10, n)));
    const margin = a.map((x) => ((0.8 - 0.45) / 100) * (x - 10) + 0.45);
    margin.forEach((m, i) => close(logits[i]![0]!, 64 * Math.cos(Math.acos(0.8) + m), 2e-4));
    const g = a.reduce((acc, x) => acc + x / 110 ** 2 + 1 / x, 0) / 3;
    close((out.terms!.g as tf.Tensor).dataSync()[0]!, 35 * g, 1e-5);
  }));

  test('the embedding norm receives gradient through g(a) and m(a)', () => tf.tidy(() => {
    const head = magface();
    const y = tf.tensor1d([0, 1], 'int32');
    const cos = tf.tensor2d([[0.8, 0.1], [0.2, 0.6]]);
    const total = (n: tf.Tensor) => {
      const out = head.logits({ cosine: cos as tf.Tensor2D, targets: y, embedding: tf.zeros([2, 2]), embeddingNorm: n as tf.Tensor1D }, context(true, [0, 1]));
      return tf.add(tf.mean(softmaxCrossEntropy(out.logits, y)), out.terms!.g as tf.Scalar) as tf.Scalar;
    };
    const norms = tf.tensor1d([30, 80]);
    expect(checkGradients(total, [norms], { eps: 1e-2 })).toMatch(/match/);
    const grad = tf.grad(total)(norms).dataSync();
    expect(grad.every((v) => v !== 0 && Number.isFinite(v))).toBe(true);
  }));
});
