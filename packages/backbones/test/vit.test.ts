import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng } from '@fr/core';
import { VisionTransformer, createBackbone, dropPathSchedule, planTokenMasking, countParameters } from '@fr/backbones';
import { maxAbsDiff, seededTensor, useCpu } from './support/setup.js';
import { TINY, expectGradientsEverywhere, expectNoLeaks, expectSameState, flat, images } from './support/checks.js';

beforeAll(useCpu);

const tiny = (which: 'vit' | 'transface', options: Record<string, unknown> = {}, seed = 1) =>
  createBackbone(TINY[which].name, { ...TINY[which].options, ...options }, { rng: Rng.fromSeed(seed) });

/** Tokens after patch embed + pos, the blocks and the final LN, for the given kept token ids per sample. */
function manualTokens(m: VisionTransformer, x: tf.Tensor4D, keep?: number[][]): tf.Tensor3D[] {
  const ctx = { training: true, rng: Rng.fromSeed(0) };
  const all = tf.add(m.patchEmbed.forward(x), m.posEmbed) as tf.Tensor3D;
  return Array.from({ length: x.shape[0] }, (_, b) => {
    let t = tf.slice(all, [b, 0, 0], [1, -1, -1]) as tf.Tensor3D;
    if (keep) t = tf.gather(t, keep[b] as number[], 1) as tf.Tensor3D;
    for (const block of m.blocks.items) t = block.forward(t, ctx);
    return m.norm.forward(t);
  });
}

describe('ViT for faces', () => {
  test('112 input, patch 9 → 144 tokens; pixels 108..111 are ignored', () => {
    const b = createBackbone('vit_t', { dim: 16, depth: 1, heads: 2, embeddingSize: 8 }, { rng: Rng.fromSeed(1) });
    const m = b.module as VisionTransformer;
    expect(m.numPatches).toBe(144);
    expect(m.posEmbed.shape).toEqual([1, 144, 16]);
    expect(m.feature.fc1.weight.shape).toEqual([144 * 16, 16]);
    const x = images(b, 2);
    const edited = tf.concat([tf.slice(x, [0, 0, 0, 0], [-1, 108, -1, -1]), tf.fill([2, 4, 112, 3], 0.7)], 1) as tf.Tensor4D;
    const ctx = { training: false, rng: Rng.fromSeed(0) };
    const a = b.forward(x, ctx);
    const c = b.forward(edited, ctx);
    expect(a.embedding.shape).toEqual([2, 8]);
    expect(a.aux.tokens!.shape).toEqual([2, 144, 16]);
    expect(maxAbsDiff(a.embedding, c.embedding)).toBe(0);
    tf.dispose([x, edited, a.embedding, c.embedding, ...Object.values(a.aux), ...Object.values(c.aux)]);
    b.module.dispose();
  });

  test('presets: dims, depth, 8 heads, drop-path and mask defaults (spec §1.8)', () => {
    const cfg = (name: string) => createBackbone(name, {}, { shapeOnly: true });
    const expectations: [string, number, number, number, number, boolean][] = [
      ['vit_t', 256, 12, 0.1, 0.1, false], ['vit_s', 512, 12, 0.1, 0.1, false], ['vit_b', 512, 24, 0.1, 0.1, false],
      ['vit_l', 768, 24, 0.05, 0.05, false], ['vit_s_dp005_mask_0', 512, 12, 0.05, 0, false], ['transface_s', 512, 12, 0.05, 0, true],
      ['transface_l', 768, 24, 0.05, 0.05, true],
    ];
    for (const [name, dim, depth, dp, mask, se] of expectations) {
      const b = cfg(name);
      expect(b.config).toMatchObject({ dim, depth, heads: 8, dropPathRate: dp, maskRatio: mask, seGate: se, patchSize: 9, inputSize: 112, embeddingSize: 512 });
      b.module.dispose();
    }
  });

  test('init: Linear trunc-normal(0.02) with zero bias, qkv bias-free, LN 1/0, SE Kaiming-uniform', () => {
    const b = createBackbone('transface_s', { inputSize: 36, dim: 64, depth: 1, heads: 4 }, { rng: Rng.fromSeed(2) });
    const s = b.module.stateDict();
    const w = flat(s.get('feature.0.weight')!);
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.0195);
    expect(std).toBeLessThan(0.0205);
    expect(s.has('blocks.0.attn.qkv.bias')).toBe(false);
    expect(new Set(flat(s.get('blocks.0.attn.proj.bias')!))).toEqual(new Set([0]));
    expect(new Set(flat(s.get('blocks.0.norm1.gamma')!))).toEqual(new Set([1]));
    expect(new Set(flat(s.get('norm.beta')!))).toEqual(new Set([0]));
    expect(s.get('mask_token')!.shape).toEqual([1, 1, 64]);
    const se = flat(s.get('senet.0.weight')!);
    const bound = 1 / Math.sqrt(16 * 64);
    const largest = se.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest).toBeLessThanOrEqual(bound);
    expect(largest).toBeGreaterThan(0.95 * bound);
    expect(s.get('senet.2.weight')!.shape).toEqual([16, 16]);
    b.module.dispose();
  });

  test('drop-path rises linearly 0 → rate (torch.linspace)', () => {
    expect(dropPathSchedule(0.1, 12)[0]).toBe(0);
    expect(dropPathSchedule(0.1, 12)[11]).toBeCloseTo(0.1, 12);
    expect(dropPathSchedule(0.1, 1)).toEqual([0]);
    const b = createBackbone('vit_b', {}, { shapeOnly: true });
    const rates = (b.module as VisionTransformer).blocks.items.map((blk) => blk.dropPathRate);
    expect(rates[0]).toBe(0);
    expect(rates[23]).toBeCloseTo(0.1, 12);
    expect(rates[12]).toBeCloseTo((0.1 * 12) / 23, 12);
    b.module.dispose();
  });

  test('token masking plan: keep ⌊144·(1−r)⌋ distinct tokens in argsort(noise) order', () => {
    expect(planTokenMasking(2, 144, 0.1, Rng.fromSeed(1)).keep).toBe(129);
    expect(planTokenMasking(2, 144, 0.05, Rng.fromSeed(1)).keep).toBe(136);
    const rng = Rng.fromSeed(7);
    const plan = planTokenMasking(3, 16, 0.25, rng);
    const replay = Rng.fromSeed(7);
    for (let b = 0; b < 3; b++) {
      const noise = Array.from({ length: 16 }, () => replay.next());
      const order = noise.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
      expect(Array.from(plan.indices.slice(b * 12, b * 12 + 12))).toEqual(order.slice(0, 12));
    }
    expect(() => planTokenMasking(1, 4, 0.9, rng)).toThrow(/keeps no token/);
  });

  test('masked training: kept tokens = running only those tokens; dropped positions hold mask_token after the LN', () => {
    const b = tiny('vit', { maskRatio: 0.25 });
    const m = b.module as VisionTransformer;
    const x = images(b, 2);
    const out = b.forward(x, { training: true, rng: Rng.fromSeed(5) });
    const plan = planTokenMasking(2, 16, 0.25, Rng.fromSeed(5)); // the forward's first draws
    const keep = [0, 1].map((i) => Array.from(plan.indices.slice(i * plan.keep, (i + 1) * plan.keep)));
    const manual = manualTokens(m, x, keep);
    const tokens = out.aux.tokens as tf.Tensor3D;
    const maskToken = flat(m.maskToken);
    for (let i = 0; i < 2; i++) {
      const mine = tf.gather(tf.slice(tokens, [i, 0, 0], [1, -1, -1]), keep[i] as number[], 1);
      expect(maxAbsDiff(mine, manual[i]!)).toBeLessThan(1e-5);
      for (let p = 0; p < 16; p++) {
        if ((keep[i] as number[]).includes(p)) continue;
        expect(flat(tf.slice(tokens, [i, p, 0], [1, 1, -1]))).toEqual(maskToken);
      }
    }
    // Evaluation never masks: every position is a real token.
    const evalTokens = b.forward(x, { training: false, rng: Rng.fromSeed(5) }).aux.tokens!;
    const evalManual = manualTokens(m, x);
    expect(maxAbsDiff(evalTokens, tf.concat(evalManual, 0))).toBeLessThan(1e-5);
    b.module.dispose();
  });

  test('SE gate (TransFace): patchWeights = softmax(g), tokens = g·X, patchStd = unbiased std over D, embedding = head(flatten X\')', () => {
    const b = tiny('transface');
    expect(b.auxOutputs).toEqual(['patchWeights', 'tokens', 'patchStd']);
    const m = b.module as VisionTransformer;
    const x = images(b, 3);
    const ctx = { training: false, rng: Rng.fromSeed(0) };
    const out = b.forward(x, ctx);
    const X = tf.concat(manualTokens(m, x), 0) as tf.Tensor3D;
    const g = m.senet!.forward(X);
    expect(out.aux.patchWeights!.shape).toEqual([3, 16]);
    expect(maxAbsDiff(out.aux.patchWeights!, tf.softmax(g))).toBeLessThan(1e-6);
    expect(flat(tf.sum(out.aux.patchWeights!, 1)).every((v) => Math.abs(v - 1) < 1e-5)).toBe(true);
    const gated = tf.mul(tf.expandDims(g, 2), X);
    expect(maxAbsDiff(out.aux.tokens!, gated)).toBeLessThan(1e-5);
    const t = flat(out.aux.tokens!);
    const stds = flat(out.aux.patchStd!);
    for (const [row, std] of stds.entries()) {
      const v = t.slice(row * 32, row * 32 + 32);
      const mean = v.reduce((a, c) => a + c, 0) / 32;
      expect(std).toBeCloseTo(Math.sqrt(v.reduce((a, c) => a + (c - mean) ** 2, 0) / 31), 5);
    }
    const head = m.feature.forward(tf.reshape(gated, [3, -1]) as tf.Tensor2D, ctx);
    expect(maxAbsDiff(out.embedding, head)).toBeLessThan(1e-4);
    b.module.dispose();
  });

  test('without the SE gate: aux tokens and patchStd only', () => {
    const b = tiny('vit');
    expect(b.auxOutputs).toEqual(['tokens', 'patchStd']);
    const x = images(b, 2);
    const out = b.forward(x, { training: false, rng: Rng.fromSeed(0) });
    expect(Object.keys(out.aux).sort()).toEqual(['patchStd', 'tokens']);
    expect(out.aux.patchStd!.shape).toEqual([2, 16]);
    b.module.dispose();
  });

  test('drop-path and masking act in training only, driven by ctx.rng', () => {
    const b = tiny('vit', { dropPathRate: 0.5, maskRatio: 0.25 });
    const x = images(b, 4);
    const run = (training: boolean, seed: number) => b.forward(x, { training, rng: Rng.fromSeed(seed) }).embedding;
    expect(maxAbsDiff(run(true, 1), run(true, 1))).toBe(0);
    expect(maxAbsDiff(run(true, 1), run(true, 2))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(run(false, 1), run(false, 2))).toBe(0);
    b.module.dispose();
  });

  test('gradients reach every trainable parameter, mask_token and the SE gate included', () => {
    for (const which of ['vit', 'transface'] as const) {
      const b = tiny(which);
      expectGradientsEverywhere(b);
      b.module.dispose();
    }
  });

  test('determinism and no leaks', () => {
    const [a, b] = [tiny('transface', {}, 3), tiny('transface', {}, 3)];
    expectSameState(a, b);
    const x = seededTensor([2, 36, 36, 3], 4) as tf.Tensor4D;
    const ea = a.forward(x, { training: true, rng: Rng.fromSeed(9) });
    const eb = b.forward(x, { training: true, rng: Rng.fromSeed(9) });
    expect(flat(eb.embedding)).toEqual(flat(ea.embedding));
    expect(flat(eb.aux.patchWeights!)).toEqual(flat(ea.aux.patchWeights!));
    expectNoLeaks(a);
    a.module.dispose();
    b.module.dispose();
  });

  test('bad options are refused clearly', () => {
    expect(() => countParameters('vit_s', { dim: 30, heads: 8 })).toThrow(/dim must be divisible by heads/);
    expect(() => countParameters('vit_s', { maskRatio: 1 })).toThrow(/maskRatio/);
    expect(() => countParameters('vit_s', { inputSize: 8, patchSize: 9 })).toThrow(/patchSize/);
  });
});
