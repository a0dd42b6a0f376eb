import { describe, expect, test } from 'vitest';
import { tf, selectBackend } from '@fr/core';
import { CPU_KERNELS, registerCpuTrainingKernels, restoreStockCpuKernel } from '../src/kernels/index.js';

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);

/** A deterministic pseudo-random float32 tensor (xorshift; no tfjs seeding involved). */
function seededTensor(shape: number[], seed: number): tf.Tensor {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = -1 + (2 * s) / 4294967296;
  }
  return tf.tensor(out, shape);
}

type Pad = number | 'same' | 'valid';

/** The gradient computed with the stock kernels and with the fast ones. */
function both(grad: () => tf.Tensor): [tf.Tensor, tf.Tensor] {
  for (const [name] of CPU_KERNELS) restoreStockCpuKernel(name);
  const stock = grad();
  registerCpuTrainingKernels();
  return [stock, grad()];
}

// @fr's cpu filter gradients must equal tfjs' own (slow) kernels.
describe('cpu filter-gradient kernels', () => {
  test.each<{ x: number[]; k: number; cout: number; stride: number; pad: Pad }>([
    { x: [2, 9, 9, 3], k: 3, cout: 4, stride: 1, pad: 1 },
    { x: [2, 9, 9, 3], k: 3, cout: 4, stride: 2, pad: 1 },
    { x: [1, 8, 8, 5], k: 3, cout: 2, stride: 2, pad: 1 },
    { x: [2, 7, 7, 4], k: 1, cout: 6, stride: 2, pad: 0 },
    { x: [1, 20, 20, 3], k: 9, cout: 5, stride: 9, pad: 0 },
    { x: [2, 6, 6, 3], k: 3, cout: 3, stride: 1, pad: 'same' },
    { x: [1, 7, 5, 2], k: 2, cout: 3, stride: 2, pad: 'valid' },
  ])('Conv2DBackpropFilter: %o', async ({ x, k, cout, stride, pad }) => {
    await selectBackend('cpu', { log: null });
    const input = seededTensor(x, 1) as tf.Tensor4D;
    const filter = seededTensor([k, k, x[3] as number, cout], 2) as tf.Tensor4D;
    const [stock, fast] = both(() => tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(input, w as tf.Tensor4D, stride, pad), 1.5)))(filter));
    expect(fast.shape).toEqual(stock.shape);
    expect(maxAbsDiff(fast, stock)).toBeLessThan(1e-5);
    tf.dispose([input, filter, stock, fast]);
  });

  test.each<{ x: number[]; k: number; mul: number; stride: number; pad: Pad }>([
    { x: [2, 9, 9, 3], k: 3, mul: 1, stride: 1, pad: 1 },
    { x: [2, 9, 9, 4], k: 3, mul: 1, stride: 2, pad: 1 },
    { x: [1, 7, 7, 3], k: 7, mul: 1, stride: 1, pad: 0 },
    { x: [2, 6, 6, 2], k: 3, mul: 3, stride: 2, pad: 'same' },
  ])('DepthwiseConv2dNativeBackpropFilter: %o', async ({ x, k, mul, stride, pad }) => {
    await selectBackend('cpu', { log: null });
    const input = seededTensor(x, 3) as tf.Tensor4D;
    const filter = seededTensor([k, k, x[3] as number, mul], 4) as tf.Tensor4D;
    const [stock, fast] = both(() => tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(input, w as tf.Tensor4D, stride, pad), seededTensor([1], 5))))(filter));
    expect(fast.shape).toEqual(stock.shape);
    expect(maxAbsDiff(fast, stock)).toBeLessThan(1e-5);
    tf.dispose([input, filter, stock, fast]);
  });
});
