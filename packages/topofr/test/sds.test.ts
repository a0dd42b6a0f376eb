import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng, selectBackend, type LossView, type PluginContext } from '@fr/core';
import { assertConforms, checkLossPlugin, testContext } from '@fr/core/testing';
import { gum, sds, sdsWeights, signFlip, standardScale } from '../src/index.js';
import { readHost } from '../src/internal/host-read.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

describe('gum (float64 Gaussian–uniform EM)', () => {
  test('the sign flip spares the last index of an odd batch', () => {
    expect(Array.from(signFlip([1, 2, 3]))).toEqual([-1, 2, 3]);
    expect(Array.from(signFlip([1, 2, 3, 4, 5]))).toEqual([-1, 2, -3, 4, 5]);
    expect(Array.from(signFlip([1, 2, 3, 4]))).toEqual([-1, 2, -3, 4]);
  });

  test('sklearn scale: zero mean, unit population std; a constant vector gives 0', () => {
    const x = standardScale([1, 2, 3, 4]);
    expect(x.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 14);
    expect(Math.sqrt(x.reduce((a, b) => a + b * b, 0) / 4)).toBeCloseTo(1, 14);
    expect(Array.from(standardScale([5, 5, 5]))).toEqual([0, 0, 0]);
  });

  test('the spec sanity run: easy samples γ ≈ 0.9, hard ones γ ≈ 0, π capped at 0.5', () => {
    const rng = Rng.fromSeed(8);
    const entropy = [...Array.from({ length: 110 }, () => rng.uniform(0.28, 0.32)), ...Array.from({ length: 18 }, () => rng.uniform(3, 8))];
    const r = gum(rng.shuffle(entropy.map((e, i) => [e, i] as const)).map(([e]) => e));
    expect(r.pi).toBe(0.5);
    const easy = Array.from(r.gamma).filter((_, i) => Math.abs(r.entropyFlipped[i]!) < 1);
    const hard = Array.from(r.gamma).filter((_, i) => Math.abs(r.entropyFlipped[i]!) >= 1);
    expect(Math.min(...easy)).toBeGreaterThan(0.8);
    expect(Math.max(...hard)).toBeLessThan(0.01);
    expect(r.nIter).toBeLessThan(1000);
  });

  test('all entropies equal (early training): x = ±1 and γ ≈ 0.528 for everyone', () => {
    const r = gum(new Array(16).fill(11));
    // Independent float64 computation: with x = ±1 (the flip makes half of them −1) every sample has
    // the same γ, C₁ = 0 by symmetry, σ² = Σγx²/Σγ = 1, so the EM collapses to a scalar recursion.
    const n = 16;
    let [pi, sigma2, c, previous, gamma] = [0.1, 1, 0.2, 0, NaN];
    for (let iter = 0; iter < 1000; iter++) {
      const v = sigma2 + 1e-3;
      const phi = Math.exp(-0.5 / v) / Math.sqrt(2 * Math.PI * v);
      gamma = (pi * phi) / (pi * phi + (1 - pi) * c);
      sigma2 = 1;
      pi = Math.min(gamma, 0.5);
      const c2 = (1 - gamma) / ((1 - pi + 1e-10) * gamma);
      c = Math.abs(3 * c2) < 0.001 ? 0.001 : 1 / (2 * Math.sqrt(3 * c2) + 1e-10);
      const total = n * (pi * phi + (1 - pi) * c);
      if (Math.abs(total - previous) < 1e-10) break;
      previous = total;
    }
    expect(gamma).toBeCloseTo(0.5283, 4); // the value quoted in the test's name
    for (const g of r.gamma) expect(g).toBeCloseTo(gamma, 10);
  });

  test('degenerate x ≡ 0: the c = 0.001 branch, γ ≈ 0.99992, two iterations', () => {
    const r = gum([2.5]);
    expect(r.smallBranchIters).toBeGreaterThan(0);
    expect(r.c).toBe(0.001);
    // Closed form: x = 0, σ² = 0, so φ = N(0 | 0, 1e−3) = 1/√(2π·0.001); after the first M-step π = 0.5
    // and c = 0.001, so γ = φ/(φ + 0.001).
    const phi = 1 / Math.sqrt(2 * Math.PI * 1e-3);
    expect(r.gamma[0]).toBeCloseTo(phi / (phi + 0.001), 12);
    expect(r.gamma[0]).toBeCloseTo(0.99992, 5);
    expect(r.nIter).toBe(2);
    expect(r.guardedIters).toBe(0);
  });

  test('non-finite entropies give NaN (the trainer then names the plugin), not an endless loop', () => {
    const r = gum([1, NaN, 2]);
    expect(Number.isNaN(r.gamma[0])).toBe(true);
    expect(r.nIter).toBe(0);
  });
});

describe('sdsWeights', () => {
  // Three samples: confident (p_gt = 1 in float32), unsure, wrong.
  const logits = () => tf.tensor2d([[60, -5, -5], [1, 0.5, 0], [0, 3, 0]]);
  const targets = () => tf.tensor1d([0, 0, 0], 'int32');

  test("'fixed': w = (2 − γ)·(1 − p_gt); 'official': w2 = 1 − trunc(p_gt) (1, or 0 where p_gt is exactly 1)", () => {
    const fixed = sdsWeights(logits(), targets());
    const p = tf.softmax(logits()).arraySync() as number[][];
    fixed.pGt.forEach((v, i) => expect(v).toBeCloseTo(p[i]![0]!, 6));
    expect(fixed.pGt[0]).toBe(1);
    Array.from(fixed.w2).forEach((w, i) => expect(w).toBeCloseTo(1 - fixed.pGt[i]!, 12));
    Array.from(fixed.w1).forEach((w, i) => expect(w).toBeCloseTo(2 - fixed.gum.gamma[i]!, 12));
    Array.from(fixed.weights).forEach((w, i) => expect(w).toBeCloseTo(fixed.w1[i]! * fixed.w2[i]!, 12));
    const official = sdsWeights(logits(), targets(), { variant: 'official', temp: 2 });
    expect(Array.from(official.w2)).toEqual([0, 1, 1]);
    Array.from(official.w1).forEach((w, i) => expect(w).toBeCloseTo((2 - official.gum.gamma[i]!) ** 2, 12));
    // Entropy −Σ p·log(p + 1e−5), slightly negative when p_gt = 1.
    const e = p.map((row) => -row.reduce((acc, v) => acc + v * Math.log(v + 1e-5), 0));
    official.entropy.forEach((v, i) => expect(v).toBeCloseTo(e[i]!, 5));
    expect(official.entropy[0]).toBeLessThanOrEqual(0);
  });

  test('the plugin returns the weights, logs w1, w2, π and iterations, and needs logits', () => {
    const plugin = sds();
    const ctx: PluginContext = testContext({ rng: Rng.fromSeed(1), batchSize: 3 });
    const view = { logits: logits(), targets: targets() } as unknown as LossView;
    const out = plugin.sampleWeights!(view, ctx);
    const want = sdsWeights(logits(), targets());
    Array.from(out.weights.dataSync()).forEach((w, i) => expect(w).toBeCloseTo(want.weights[i]!, 6));
    expect(out.metrics!.w1).toBeCloseTo(Array.from(want.w1).reduce((a, b) => a + b, 0) / 3, 12);
    expect(out.metrics!.gumPi).toBe(want.gum.pi);
    expect(out.metrics!.gumIterations).toBe(want.gum.nIter);
    expect(plugin.requires).toEqual(['logits', 'targets']);
    expect(() => plugin.sampleWeights!({ embedding: tf.zeros([3, 2]) } as unknown as LossView, ctx)).toThrow(/logits and targets/);
    expect(() => sds({ variant: 'focal' as never })).toThrow(/variant/);
  });

  test('conformance (both variants)', () => {
    assertConforms(checkLossPlugin(() => sds()));
    assertConforms(checkLossPlugin(() => sds({ variant: 'official', temp: 2 }), { batchSize: 9 }));
  });
});

test('a backend without synchronous reads gets an error naming the plugin and the way out', () => {
  const unreadable = { dataSync: () => { throw new Error('OffscreenCanvas is not defined'); } } as unknown as tf.Tensor;
  expect(() => readHost(unreadable, 'sds (TopoFR SDE)')).toThrow(/sds \(TopoFR SDE\) needs tensor values on the host.*backendCapabilities\(\)\.readsSync/);
});
