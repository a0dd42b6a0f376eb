import { tf, selectBackend } from '@fr/core';

/** The cpu backend (with @fr's fast filter-gradient kernels), quiet. */
export async function useCpu(): Promise<void> {
  await selectBackend('cpu', { log: null });
}

/** Runs `fn` and returns its result with its wall time in ms. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ result: T; ms: number }> {
  const t0 = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - t0 };
}

/** max |a − b| of two tensors. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

/** A deterministic pseudo-random float32 tensor (no tfjs seeding involved). */
export function seededTensor(shape: number[], seed: number, low = -1, high = 1): tf.Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = low + ((high - low) * s) / 4294967296;
  }
  return tf.tensor(out, shape);
}
