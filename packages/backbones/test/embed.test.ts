import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng, l2Normalize, type Backbone } from '@fr/core';
import { createBackbone, embed, embedPixels, preprocessPixels, type PixelImage } from '@fr/backbones';
import { maxAbsDiff, useCpu } from './support/setup.js';
import { TINY, flat, images } from './support/checks.js';

beforeAll(useCpu);

const make = (options: Record<string, unknown> = {}) =>
  createBackbone(TINY.mobilefacenet.name, { ...TINY.mobilefacenet.options, ...options }, { rng: Rng.fromSeed(1) });

function pixels(size: number, channels: 3 | 4, seed = 3): PixelImage {
  const data = new Uint8ClampedArray(size * size * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101 + ((i * i) % 13)) % 256;
  return { data, width: size, height: size };
}

const rawEval = (b: Backbone, x: tf.Tensor4D) => b.forward(x, { training: false, rng: Rng.fromSeed(0) }).embedding;

describe('embedding helpers', () => {
  test('embed: L2-normalised eval-mode embeddings', () => {
    const b = make();
    const x = images(b, 3);
    const e = embed(b, x);
    expect(flat(tf.norm(e, 'euclidean', 1)).every((n) => Math.abs(n - 1) < 1e-5)).toBe(true);
    expect(maxAbsDiff(e, l2Normalize(rawEval(b, x)))).toBeLessThan(1e-6);
    b.module.dispose();
  });

  test('embed: batchSize chunks give the same result; flip adds the mirrored embedding', () => {
    const b = make();
    const x = images(b, 5);
    expect(maxAbsDiff(embed(b, x, { batchSize: 2 }), embed(b, x))).toBeLessThan(1e-6);
    const flipped = l2Normalize(tf.add(rawEval(b, x), rawEval(b, tf.reverse(x, 2))) as tf.Tensor2D);
    expect(maxAbsDiff(embed(b, x, { flip: true }), flipped)).toBeLessThan(1e-6);
    b.module.dispose();
  });

  test('embedPixels applies the contract: RGBA ImageData-like, RGB bytes and int32 tensors agree', () => {
    const b = make();
    const rgba = pixels(32, 4);
    const rgb = new Uint8Array(32 * 32 * 3);
    for (let p = 0; p < 32 * 32; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = rgba.data[p * 4 + c] as number;
    const manual = tf.sub(tf.div(tf.tensor4d(Float32Array.from(rgb), [1, 32, 32, 3]), 127.5), 1) as tf.Tensor4D;
    const expected = embed(b, manual);
    expect(maxAbsDiff(embedPixels(b, rgba), expected)).toBeLessThan(1e-6);
    expect(maxAbsDiff(embedPixels(b, { data: rgb, width: 32, height: 32 }), expected)).toBeLessThan(1e-6);
    expect(maxAbsDiff(embedPixels(b, tf.tensor3d(Int32Array.from(rgb), [32, 32, 3], 'int32')), expected)).toBeLessThan(1e-6);
    expect(embedPixels(b, [rgba, pixels(32, 4, 9)]).shape).toEqual([2, 32]);
    b.module.dispose();
  });

  test('BGR and MXNet-normalised models get what they were trained on', () => {
    const b = make({ colorOrder: 'bgr', normalization: 'mxnet' });
    const img = pixels(32, 3);
    const x = preprocessPixels(img, b.preprocessing);
    const raw = tf.tensor4d(Float32Array.from(img.data), [1, 32, 32, 3]);
    expect(maxAbsDiff(x, tf.div(tf.sub(tf.reverse(raw, 3), 127.5), 128))).toBeLessThan(1e-6);
    b.module.dispose();
  });

  test('size mismatch: clear error, or resize on request', () => {
    const b = make();
    expect(() => embedPixels(b, pixels(40, 3))).toThrow(/expects 32×32 aligned face crops, got 40×40 \(pass \{ resize: true \}/);
    expect(embedPixels(b, pixels(40, 3), { resize: true }).shape).toEqual([1, 32]);
    expect(() => embedPixels(b, { data: new Uint8Array(10), width: 2, height: 2 })).toThrow(/expected RGB \(12\) or RGBA \(16\)/);
    b.module.dispose();
  });

  test('helpers leave no tensors behind', () => {
    const b = make();
    const img = pixels(32, 4);
    embedPixels(b, img, { flip: true }).dispose();
    const before = tf.memory().numTensors;
    embedPixels(b, img, { flip: true, batchSize: 1 }).dispose();
    const x = preprocessPixels(img, b.preprocessing);
    embed(b, x, { flip: true }).dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    b.module.dispose();
  });
});
