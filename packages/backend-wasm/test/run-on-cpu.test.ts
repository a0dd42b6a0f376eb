/**
 * runOnCpu: FFT / complex work (no wasm kernels, no gradients anywhere) runs on the cpu backend
 * while wasm stays the current backend, and hands back real tensors that live on wasm.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend, tf } from '@fr/core';
import { runOnCpu } from '@fr/backend-cpu';
import '../src/index.js';

const TOL_FFT = 1e-5; // max |x − ifft(fft(x))| for values in [-1, 1) and lengths ≤ 64, float32

function signal(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * Math.cos(i * 0.21 + seed)), shape);
}

function backendOf(t: tf.Tensor): tf.KernelBackend {
  return tf.engine().state.tensorInfo.get(t.dataId)!.backend;
}

/** 2-D FFT of the last two axes of a real [.., H, W] tensor, as one complex [.., H, W] tensor. */
function fft2d(x: tf.Tensor): tf.Tensor {
  const rows = tf.spectral.fft(tf.complex(x, tf.zerosLike(x)));
  const rank = x.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  return tf.transpose(tf.spectral.fft(tf.transpose(rows, perm)), perm);
}

function ifft2d(z: tf.Tensor): tf.Tensor {
  const rank = z.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  const cols = tf.transpose(tf.spectral.ifft(tf.transpose(z, perm)), perm);
  return tf.spectral.ifft(cols);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

beforeAll(async () => {
  await selectBackend('wasm', { log: null });
});

describe('runOnCpu', () => {
  test('complex kernels are indeed missing on wasm (why this helper exists)', () => {
    const x = signal([8], 1);
    expect(() => tf.complex(x, x)).toThrow(/not registered for backend 'wasm'/);
    x.dispose();
  });

  test('fft round trip (1-D rfft/irfft and 2-D fft/ifft) while wasm is current', () => {
    const x = signal([3, 16, 32], 2);
    const tensorsBefore = tf.memory().numTensors;
    const { back, back2d, power } = runOnCpu(() => {
      const spectrum = tf.spectral.rfft(x);
      const z = fft2d(x);
      return {
        back: tf.spectral.irfft(spectrum),
        back2d: tf.real(ifft2d(z)),
        power: tf.square(tf.abs(z)), // |Z|² — what frequency-domain features use
      };
    });
    expect(tf.getBackend()).toBe('wasm');
    const wasm = tf.engine().findBackend('wasm')!;
    for (const t of [back, back2d, power]) {
      expect(t.dtype).toBe('float32');
      expect(backendOf(t)).toBe(wasm);
    }
    expect(back.shape).toEqual([3, 16, 32]);
    expect(maxAbsDiff(back, x)).toBeLessThan(TOL_FFT);
    expect(maxAbsDiff(back2d, x)).toBeLessThan(TOL_FFT);
    // Parseval: Σ|Z|² = H·W·Σx² per image.
    const [energy, spectral] = tf.tidy(() => [tf.sum(tf.square(x)).dataSync()[0]!, tf.sum(power).dataSync()[0]! / (16 * 32)]);
    expect(Math.abs(energy - spectral)).toBeLessThan(1e-4 * energy);
    // Results are usable on wasm straight away, and nothing but them was kept.
    const scaled = tf.mul(power, 2);
    expect(backendOf(scaled)).toBe(wasm);
    expect(tf.memory().numTensors).toBe(tensorsBefore + 4);
    tf.dispose([back, back2d, power, scaled]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    x.dispose();
  });

  test('does not leak on either backend across 20 calls', () => {
    const x = signal([4, 64], 3);
    const cpu = tf.engine().findBackend('cpu')!;
    const wasm = tf.engine().findBackend('wasm')!;
    const once = () => runOnCpu(() => tf.spectral.irfft(tf.spectral.rfft(x))).dispose();
    once();
    const before = { tensors: tf.memory().numTensors, cpu: cpu.numDataIds(), wasm: wasm.numDataIds() };
    for (let i = 0; i < 20; i++) once();
    // x itself moved to cpu on first use and stays there until used on wasm again.
    expect({ tensors: tf.memory().numTensors, cpu: cpu.numDataIds(), wasm: wasm.numDataIds() }).toEqual(before);
    x.dispose();
  });

  test('an input used afterwards on wasm still works (tfjs moves it back)', () => {
    const x = signal([2, 8], 4);
    runOnCpu(() => tf.spectral.irfft(tf.spectral.rfft(x))).dispose();
    const y = tf.mul(x, 3);
    expect(backendOf(y)).toBe(tf.engine().findBackend('wasm'));
    expect(maxAbsDiff(tf.div(y, 3), x)).toBeLessThan(1e-6);
    tf.dispose([x, y]);
  });

  test('restores the backend when fn throws, and refuses complex results', () => {
    expect(() =>
      runOnCpu(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    expect(() => runOnCpu(() => tf.spectral.rfft(tf.ones([8])))).toThrow(/complex64 tensor.*tf\.real/);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.memory().numTensors).toBe(before);
  });

  test('on cpu it simply runs fn in a tidy', async () => {
    await tf.setBackend('cpu');
    try {
      const before = tf.memory().numTensors;
      const y = runOnCpu(() => tf.real(tf.spectral.fft(tf.complex(tf.ones([4]), tf.zeros([4])))));
      expect(Array.from(y.dataSync())).toEqual([4, 0, 0, 0]);
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
