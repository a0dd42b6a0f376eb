import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng } from '@fr/core';
import { IResNet, createBackbone, iresnetFinalSize } from '@fr/backbones';
import { maxAbsDiff, seededTensor, useCpu } from './support/setup.js';
import { TINY, expectGradientsEverywhere, expectNoLeaks, expectSameState, flat, images } from './support/checks.js';

beforeAll(useCpu);

const tiny = (options: Record<string, unknown> = {}, seed = 1) =>
  createBackbone(TINY.iresnet.name, { ...TINY.iresnet.options, ...options }, { rng: Rng.fromSeed(seed) });

describe('IResNet', () => {
  test('explicit padding 1 makes a stride-2 3×3 conv sample exactly what PyTorch samples', () => {
    // PyTorch pads 1 on every side; tfjs 'same' pads only bottom/right for even inputs.
    const x = seededTensor([1, 8, 8, 2], 1) as tf.Tensor4D;
    const w = seededTensor([3, 3, 2, 3], 2) as tf.Tensor4D;
    const torchLike = tf.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), w, 2, 'valid');
    expect(maxAbsDiff(tf.conv2d(x, w, 2, 1), torchLike)).toBe(0);
    expect(maxAbsDiff(tf.conv2d(x, w, 2, 'same'), torchLike)).toBeGreaterThan(1e-3);
  });

  test('spatial arithmetic: 112 → 7, 64 → 4, 56 → 4, 32 → 2', () => {
    expect([112, 64, 56, 32].map(iresnetFinalSize)).toEqual([7, 4, 4, 2]);
  });

  test.each([
    [56, 0.25, 512],
    [64, 0.25, 128],
    [112, 0.125, 64],
  ])('input %i, width %s → (B, %i) embedding; fc input follows the input size', (inputSize, widthMultiplier, embeddingSize) => {
    const b = createBackbone('iresnet18', { inputSize, widthMultiplier, embeddingSize }, { rng: Rng.fromSeed(1) });
    const m = b.module as IResNet;
    const side = iresnetFinalSize(inputSize);
    expect(m.fc.weight.shape).toEqual([512 * widthMultiplier * side * side, embeddingSize]);
    expect(m.conv1.weight.shape).toEqual([3, 3, 3, 64 * widthMultiplier]);
    const x = images(b, 2);
    const { embedding, aux } = b.forward(x, { training: false, rng: Rng.fromSeed(0) });
    expect(embedding.shape).toEqual([2, embeddingSize]);
    expect(aux).toEqual({});
    expect(b.auxOutputs).toEqual([]);
    tf.dispose([x, embedding]);
    b.module.dispose();
  });

  test('parameter names mirror the PyTorch state dict; strides sit on the second conv', () => {
    const b = tiny();
    const names = [...b.module.stateDict().keys()];
    expect(names.slice(0, 6)).toEqual(['conv1.weight', 'bn1.gamma', 'bn1.beta', 'bn1.runningMean', 'bn1.runningVar', 'prelu.alpha']);
    for (const n of ['layer1.0.bn1.gamma', 'layer1.0.conv1.weight', 'layer1.0.conv2.weight', 'layer1.0.bn3.beta', 'layer1.0.downsample.0.weight',
      'layer1.0.downsample.1.runningVar', 'layer4.1.prelu.alpha', 'bn2.gamma', 'fc.weight', 'fc.bias', 'features.gamma', 'features.beta']) {
      expect(names).toContain(n);
    }
    expect(names).not.toContain('layer1.1.downsample.0.weight');
    const m = b.module as IResNet;
    const block = m.stages[0]!.items[0]!;
    expect([(block.conv1 as unknown as { stride: number }).stride, (block.conv2 as unknown as { stride: number }).stride]).toEqual([1, 2]);
    expect(b.module.trainableVariables().has('features.gamma')).toBe(false);
    b.module.dispose();
  });

  test('initialisation: conv N(0, 0.1), BN γ=1 β=0, PReLU 0.25, Linear PyTorch default', () => {
    const b = createBackbone('iresnet18', { inputSize: 32, widthMultiplier: 0.5 }, { rng: Rng.fromSeed(2) });
    const s = b.module.stateDict();
    const w = flat(s.get('layer3.0.conv1.weight')!);
    const mean = w.reduce((a, v) => a + v, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(std).toBeGreaterThan(0.097);
    expect(std).toBeLessThan(0.103);
    expect(new Set(flat(s.get('layer2.1.bn2.gamma')!))).toEqual(new Set([1]));
    expect(new Set(flat(s.get('layer2.1.bn2.beta')!))).toEqual(new Set([0]));
    expect(new Set(flat(s.get('prelu.alpha')!))).toEqual(new Set([0.25]));
    const fc = flat(s.get('fc.weight')!);
    const bound = 1 / Math.sqrt(s.get('fc.weight')!.shape[0]);
    const largest = fc.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest).toBeLessThanOrEqual(bound);
    expect(largest).toBeGreaterThan(0.99 * bound);
    b.module.dispose();
  });

  test('training uses batch statistics and updates running stats; eval uses them and is batch-independent', () => {
    const b = tiny();
    const x = images(b, 4);
    const rm = b.module.stateDict().get('bn1.runningMean')!;
    const before = flat(rm);
    const evalOut = b.forward(x, { training: false, rng: Rng.fromSeed(0) }).embedding;
    expect(flat(rm)).toEqual(before);
    const trainOut = b.forward(x, { training: true, rng: Rng.fromSeed(0) }).embedding;
    expect(flat(rm)).not.toEqual(before);
    expect(maxAbsDiff(trainOut, evalOut)).toBeGreaterThan(1e-3);
    // Eval: sample 0 alone gives the same embedding as inside the batch.
    const all = b.forward(x, { training: false, rng: Rng.fromSeed(0) }).embedding;
    const one = b.forward(tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]), { training: false, rng: Rng.fromSeed(0) }).embedding;
    expect(maxAbsDiff(one, tf.slice(all, [0, 0], [1, -1]))).toBeLessThan(1e-5);
    tf.dispose([x, evalOut, trainOut, all, one]);
    b.module.dispose();
  });

  test('dropout is active in training only and draws from ctx.rng', () => {
    const b = tiny({ dropout: 0.5 });
    const x = images(b, 4);
    const run = (training: boolean, seed: number) => b.forward(x, { training, rng: Rng.fromSeed(seed) }).embedding;
    const [a, a2, c] = [run(true, 1), run(true, 1), run(true, 2)];
    expect(maxAbsDiff(a, a2)).toBe(0);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(run(false, 1), run(false, 2))).toBe(0);
    tf.dispose([x, a, a2, c]);
    b.module.dispose();
  });

  test('gradients reach every trainable parameter (features γ frozen)', () => {
    const b = tiny();
    expectGradientsEverywhere(b);
    b.module.dispose();
  });

  test('featuresGammaTrainable (TopoFR) trains the features γ too', () => {
    const b = tiny({ featuresGammaTrainable: true });
    expect(b.module.trainableVariables().has('features.gamma')).toBe(true);
    expectGradientsEverywhere(b);
    b.module.dispose();
  });

  test('same seed → same weights and same training outputs; another seed differs', () => {
    const [a, b, c] = [tiny({}, 5), tiny({}, 5), tiny({}, 6)];
    expectSameState(a, b);
    const x = images(a, 2);
    const ea = a.forward(x, { training: true, rng: Rng.fromSeed(1) }).embedding;
    const eb = b.forward(x, { training: true, rng: Rng.fromSeed(1) }).embedding;
    expect(flat(eb)).toEqual(flat(ea));
    expect(flat(c.module.stateDict().get('conv1.weight')!)).not.toEqual(flat(a.module.stateDict().get('conv1.weight')!));
    tf.dispose([x, ea, eb]);
    [a, b, c].forEach((m) => m.module.dispose());
  });

  test('no tensor leaks across repeated forward/backward', () => {
    const b = tiny();
    expectNoLeaks(b);
    b.module.dispose();
  });

  test('rejects wrongly shaped input with a clear message', () => {
    const b = tiny();
    const x = tf.zeros([1, 3, 32, 32]) as tf.Tensor4D;
    expect(() => b.forward(x, { training: false, rng: Rng.fromSeed(0) })).toThrow(/expects NHWC input \[B, 32, 32, 3\], got \[1, 3, 32, 32\]/);
    x.dispose();
    b.module.dispose();
  });
});
