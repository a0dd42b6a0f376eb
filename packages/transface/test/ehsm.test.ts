import { beforeAll, describe, expect, test } from 'vitest';
import { Rng, constantOf, fullFC, selectBackend, tf, validateComposition } from '@fr/core';
import { assertConforms, checkLossPlugin, tinyBackbone, testContext } from '@fr/core/testing';
import { createBackbone } from '@fr/backbones';
import { arcface } from '@fr/loss-arcface';
import { ehsm, ehsmWeights, tokenStd } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const ctx = testContext({ rng: Rng.fromSeed(1), batchSize: 2 });

/** Tokens (B, N, 2) with per-token std exactly σ: channels (c − σ/√2, c + σ/√2). */
function tokensWithStd(std: number[][], centre = 0.25): tf.Tensor3D {
  return tf.tensor3d(std.map((row) => row.map((s) => [centre - s / Math.SQRT2, centre + s / Math.SQRT2])));
}

describe('ehsmWeights', () => {
  test('official std source: H = unbiased σ over the channels, H̄ = γ·mean of the top-K, w = 1 + exp(−H̄) in (1, 2]', () => {
    const std = [[0.5, 2, 1, 0], [0, 0, 0, 0]];
    const tokens = tokensWithStd(std);
    const all = ehsmWeights(tokens);
    const h = all.entropy.arraySync();
    for (let b = 0; b < 2; b++) for (let n = 0; n < 4; n++) expect(h[b]![n]).toBeCloseTo(std[b]![n]!, 5);
    expect(all.hbar.arraySync()[0]).toBeCloseTo(0.875, 5);
    expect(all.hbar.arraySync()[1]).toBe(0);
    expect(all.weights.arraySync()[0]).toBeCloseTo(1 + Math.exp(-0.875), 5);
    expect(all.weights.arraySync()[1]).toBe(2); // "all hard": equal channels → weight exactly 2
    const top2 = ehsmWeights(tokens, { topK: 2, gamma: 0.5 });
    expect(top2.hbar.arraySync()[0]).toBeCloseTo(0.5 * 1.5, 5);
    expect(top2.weights.arraySync()[0]).toBeCloseTo(1 + Math.exp(-0.75), 5);
    tf.dispose([tokens, all.entropy, all.hbar, all.weights, top2.entropy, top2.hbar, top2.weights]);
  });

  test('paper source [unverified]: H = ½·log(2πe·σ²), σ floored at minStd', () => {
    const tokens = tokensWithStd([[0.5, 2], [0, 1]]);
    const r = ehsmWeights(tokens, { source: 'entropy', minStd: 1e-3 });
    const h = (s: number) => 0.5 * Math.log(2 * Math.PI * Math.E * s * s);
    const got = r.entropy.arraySync();
    expect(got[0]![0]).toBeCloseTo(h(0.5), 4);
    expect(got[1]![0]).toBeCloseTo(h(1e-3), 4);
    expect(r.weights.arraySync()[0]).toBeCloseTo(1 + Math.exp(-(h(0.5) + h(2)) / 2), 4);
    expect(Number.isFinite(r.weights.arraySync()[1])).toBe(true);
    tf.dispose([tokens, r.entropy, r.hbar, r.weights]);
  });

  test('the weights are detached: zero (never NaN) gradient to the tokens, even for a token of equal channels', () => {
    const tokens = tokensWithStd([[0.5, 2, 0], [0.1, 0.2, 0.3]]);
    const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(ehsmWeights(t as tf.Tensor3D).weights, 3)))([tokens]);
    expect(Array.from(g!.dataSync()).every((v) => v === 0)).toBe(true);
  });

  test('tokenStd = torch.std(tokens, dim=2) (÷(D−1)); its gradient is zero, not NaN, at zero spread', () => {
    const rng = Rng.fromSeed(4);
    const values = rng.fillNormal(new Float32Array(2 * 5 * 4));
    const tokens = tf.tensor3d(values, [2, 5, 4]);
    const ours = tokenStd(tokens).dataSync();
    for (let t = 0; t < 10; t++) {
      const row = Array.from(values.subarray(t * 4, t * 4 + 4));
      const m = row.reduce((a, b) => a + b, 0) / 4;
      expect(ours[t]).toBeCloseTo(Math.sqrt(row.reduce((a, b) => a + (b - m) ** 2, 0) / 3), 5);
    }
    const flatToken = tf.concat([tf.fill([1, 1, 4], 0.3), tf.slice(tokens, [0, 1, 0], [1, 4, 4])], 1);
    const [g] = tf.grads((t: tf.Tensor) => tf.sum(constantOf(tokenStd(t as tf.Tensor3D), (s) => tf.exp(s))))([flatToken]);
    expect(Array.from(g!.dataSync()).every((v) => v === 0)).toBe(true);
  });

  test('requires aux:tokens: the ViTs and the conformance kit\'s tiny backbone offer them', () => {
    const vit = createBackbone('transface_s', { inputSize: 18, patchSize: 9, dim: 8, depth: 1, heads: 2, embeddingSize: 8 }, { rng: Rng.fromSeed(1) });
    const head = { centers: fullFC({ numClasses: 3, embeddingSize: 8 }), margin: arcface({ gradient: 'straight-through' }) };
    const tiny = tinyBackbone({ embeddingSize: 8, aux: ['tokens'] });
    const bare = tinyBackbone({ embeddingSize: 8 });
    expect(ehsm().requires).toEqual(['aux:tokens']);
    expect(() => validateComposition({ backbone: vit, ...head, losses: [ehsm()] })).not.toThrow();
    expect(() => validateComposition({ backbone: tiny, ...head, losses: [ehsm()] })).not.toThrow();
    expect(() => validateComposition({ backbone: bare, ...head, losses: [ehsm()] })).toThrow(/ehsm.*tokens/s);
    for (const b of [vit, tiny, bare]) b.module.dispose();
    head.centers.dispose!();
  });
});

describe('ehsm plugin', () => {
  test('conformance (official std, all tokens)', () => {
    assertConforms(checkLossPlugin(() => ehsm(), { aux: { tokens: [6, 16, 8] } }));
  });

  test('conformance (top-K 5 of 144 tokens, γ 2; paper entropy source)', () => {
    assertConforms(checkLossPlugin(() => ehsm({ topK: 5, gamma: 2 }), { aux: { tokens: [6, 144, 4] } }));
    assertConforms(checkLossPlugin(() => ehsm({ source: 'entropy', topK: 8 }), { aux: { tokens: [6, 16, 8] } }));
  });

  test('sampleWeights gives the weights and batch metrics', () => {
    const plugin = ehsm({ name: 'mining' });
    const tokens = tokensWithStd([[1, 1], [0, 0]]);
    const labels = tf.tensor1d([0, 1], 'int32');
    const out = plugin.sampleWeights!({ aux: { tokens }, labels } as never, ctx);
    expect(out.weights.arraySync()[0]).toBeCloseTo(1 + Math.exp(-1), 5);
    expect(out.weights.arraySync()[1]).toBe(2);
    expect((out.metrics!.meanWeight as tf.Scalar).dataSync()[0]).toBeCloseTo((3 + Math.exp(-1)) / 2, 5);
    expect((out.metrics!.meanHbar as tf.Scalar).dataSync()[0]).toBeCloseTo(0.5, 5);
  });

  test('clear errors: bad options, missing or mis-shaped tokens, topK above the token count', () => {
    expect(() => ehsm({ topK: 0 })).toThrow(/topK must be an integer ≥ 1/);
    expect(() => ehsm({ gamma: Number.NaN })).toThrow(/gamma must be a finite number/);
    expect(() => ehsm({ source: 'gauss' as never })).toThrow(/source must be 'std' or 'entropy'/);
    const labels = tf.tensor1d([0, 1], 'int32');
    expect(() => ehsm().sampleWeights!({ aux: {}, labels } as never, ctx)).toThrow(/no aux "tokens"/);
    expect(() => ehsm().sampleWeights!({ aux: { tokens: tf.zeros([2, 4]) }, labels } as never, ctx)).toThrow(/\(B, N, D\)/);
    expect(() => ehsm().sampleWeights!({ aux: { tokens: tf.zeros([3, 4, 2]) }, labels } as never, ctx)).toThrow(/3 rows for a batch of 2/);
    expect(() => ehsm({ topK: 9 }).sampleWeights!({ aux: { tokens: tf.zeros([2, 4, 2]) }, labels } as never, ctx)).toThrow(/topK 9 exceeds the 4 tokens/);
  });
});
