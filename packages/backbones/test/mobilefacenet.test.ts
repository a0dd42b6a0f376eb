import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng } from '@fr/core';
import { MobileFaceNet, countParameters, createBackbone, mobilefacenetFinalSize } from '@fr/backbones';
import { useCpu } from './support/setup.js';
import { TINY, expectGradientsEverywhere, expectNoLeaks, expectSameState, flat, images } from './support/checks.js';

beforeAll(useCpu);

const tiny = (options: Record<string, unknown> = {}, seed = 1) =>
  createBackbone(TINY.mobilefacenet.name, { ...TINY.mobilefacenet.options, ...options }, { rng: Rng.fromSeed(seed) });

describe('MobileFaceNet', () => {
  test('layout at width 1: the paper table (5/1/6/1/2 bottlenecks, expansions 2/4/2/4/2), per-layer parameters', () => {
    const b = createBackbone('mobilefacenet', { embeddingSize: 128 }, { shapeOnly: true });
    const m = b.module as MobileFaceNet;
    const count = (prefix: string) => {
      let n = 0;
      for (const [name, v] of b.module.stateDict()) if (name.startsWith(prefix) && !/running/.test(name)) n += v.size;
      return n;
    };
    // conv3x3 s2 64 + BN + PReLU; depthwise 3x3 64 + BN + PReLU
    expect(count('layers.0.')).toBe(27 * 64 + 128 + 64);
    expect(count('layers.1.')).toBe(9 * 64 + 128 + 64);
    // bottleneck 64 → (128) → 64: 1x1 expand, dw3x3, 1x1 project
    const bottleneck = (i: number, e: number, o: number) => i * e + 3 * e + 9 * e + 3 * e + e * o + 2 * o;
    expect(count('layers.2.')).toBe(bottleneck(64, 128, 64));
    expect(count('layers.3.')).toBe(4 * bottleneck(64, 128, 64));
    expect(count('layers.4.')).toBe(bottleneck(64, 256, 128));
    expect(count('layers.5.')).toBe(6 * bottleneck(128, 256, 128));
    expect(count('layers.6.')).toBe(bottleneck(128, 512, 128));
    expect(count('layers.7.')).toBe(2 * bottleneck(128, 256, 128));
    expect(count('conv_sep.')).toBe(128 * 512 + 1024 + 512);
    expect(count('features.')).toBe(49 * 512 + 1024 + 512 * 128 + 256);
    expect(m.features.dw.conv.weight.shape).toEqual([7, 7, 512, 1]);
    expect(b.module.parameterCount()).toBe(1_003_136);
    b.module.dispose();
  });

  test('residual stages keep shape; only the stride-2 bottlenecks are non-residual', () => {
    const b = createBackbone('mobilefacenet', {}, { shapeOnly: true });
    const m = b.module as MobileFaceNet;
    expect(m.layers.items.map((l) => l.constructor.name)).toEqual(['ConvBlock', 'ConvBlock', 'Bottleneck', 'Residual', 'Bottleneck', 'Residual', 'Bottleneck', 'Residual']);
    b.module.dispose();
  });

  test('insightface blocks option: blocks[0] > 1 replaces the depthwise conv by residual bottlenecks', () => {
    expect(countParameters('mobilefacenet', { blocks: [2, 4, 6, 2] }).total).toBeGreaterThan(countParameters('mobilefacenet').total);
  });

  test.each([
    [112, 0.25, 128],
    [64, 0.25, 512],
    [32, 0.125, 32],
  ])('input %i, width %s → (B, %i); GDC kernel = final side', (inputSize, widthMultiplier, embeddingSize) => {
    const b = createBackbone('mobilefacenet', { inputSize, widthMultiplier, embeddingSize }, { rng: Rng.fromSeed(1) });
    const side = mobilefacenetFinalSize(inputSize);
    expect((b.module as MobileFaceNet).features.dw.conv.weight.shape).toEqual([side, side, 512 * widthMultiplier, 1]);
    const x = images(b, 2);
    const { embedding } = b.forward(x, { training: false, rng: Rng.fromSeed(0) });
    expect(embedding.shape).toEqual([2, embeddingSize]);
    tf.dispose([x, embedding]);
    b.module.dispose();
  });

  test('init: kaiming-normal fan-out (conv std √(2/(out·k²)))', () => {
    const b = createBackbone('mobilefacenet', {}, { rng: Rng.fromSeed(3) });
    const w = flat(b.module.stateDict().get('conv_sep.conv.weight')!); // 1x1, 128 → 512
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(std / Math.sqrt(2 / 512)).toBeGreaterThan(0.97);
    expect(std / Math.sqrt(2 / 512)).toBeLessThan(1.03);
    b.module.dispose();
  });

  test('train vs eval: BN statistics', () => {
    const b = tiny();
    const x = images(b, 4);
    const rv = b.module.stateDict().get('features.bn.runningVar')!;
    const before = flat(rv);
    const e = b.forward(x, { training: false, rng: Rng.fromSeed(0) }).embedding;
    expect(flat(rv)).toEqual(before);
    const t = b.forward(x, { training: true, rng: Rng.fromSeed(0) }).embedding;
    expect(flat(rv)).not.toEqual(before);
    expect(flat(t)).not.toEqual(flat(e));
    tf.dispose([x, e, t]);
    b.module.dispose();
  });

  test('gradients reach every trainable parameter', () => {
    const b = tiny();
    expectGradientsEverywhere(b);
    b.module.dispose();
  });

  test('determinism and no leaks', () => {
    const [a, b] = [tiny({}, 4), tiny({}, 4)];
    expectSameState(a, b);
    expectNoLeaks(a);
    a.module.dispose();
    b.module.dispose();
  });
});
