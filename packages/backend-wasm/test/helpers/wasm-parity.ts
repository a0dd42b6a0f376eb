/**
 * Comparing the wasm backend with the cpu backend: deterministic inputs, running a function on
 * both, scaled-error assertions and a leak check (engine tensors, wasm data ids, wasm heap).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';
import { tf } from '@fr/core';

/** Deterministic values in [lo, hi) from a 32-bit LCG: identical on every backend and run. */
export function values(size: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(size);
  let state = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * state) / 2 ** 32;
  }
  return out;
}

/** A float32 tensor of deterministic values (see {@link values}). */
export function rand(shape: readonly number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  return tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed, lo, hi), [...shape]);
}

export interface Readout {
  readonly shape: number[];
  readonly dtype: string;
  readonly data: Float64Array;
}

/** Runs `fn` in a tidy and reads every returned tensor back (values, shape, dtype). */
export function readAll(fn: () => tf.Tensor[]): Readout[] {
  const outs = tf.tidy(fn);
  const read = outs.map((t) => ({ shape: t.shape, dtype: t.dtype, data: Float64Array.from(t.dataSync() as ArrayLike<number>) }));
  tf.dispose(outs);
  return read;
}

/** Runs `fn` on wasm, then on cpu, and returns both readouts; leaves wasm current. */
export async function onWasmAndCpu(fn: () => tf.Tensor[]): Promise<{ wasm: Readout[]; cpu: Readout[] }> {
  await tf.setBackend('wasm');
  const wasm = readAll(fn);
  await tf.setBackend('cpu');
  try {
    return { wasm, cpu: readAll(fn) };
  } finally {
    await tf.setBackend('wasm');
  }
}

/**
 * max |a − b| / max |b| over the finite entries (scaled by the reference's peak, so the same
 * tolerance fits any magnitude); Infinity when the two disagree on where NaN and ±Inf are.
 */
export function scaledError(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let peak = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) return Number.POSITIVE_INFINITY;
      continue;
    }
    diff = Math.max(diff, Math.abs(x - y));
    peak = Math.max(peak, Math.abs(y));
  }
  return peak === 0 ? diff : diff / peak;
}

/** Asserts that every wasm output matches cpu's in shape, dtype and values (scaled error ≤ tol). */
export function expectClose(label: string, got: { wasm: Readout[]; cpu: Readout[] }, tol: number): void {
  expect(got.wasm.length, `${label}: number of outputs`).toBe(got.cpu.length);
  got.cpu.forEach((ref, i) => {
    const out = got.wasm[i]!;
    expect(out.shape, `${label}: output ${i} shape`).toEqual(ref.shape);
    expect(out.dtype, `${label}: output ${i} dtype`).toBe(ref.dtype);
    const err = scaledError(out.data, ref.data);
    expect(err, `${label}: output ${i} scaled error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
  });
}

/** The current backend as the wasm backend (throws if it is not). */
export function wasmBackend(): BackendWasm {
  expect(tf.getBackend()).toBe('wasm');
  return tf.backend() as BackendWasm;
}

/** Size of the wasm heap (it only grows; growing across identical iterations would mean a leak). */
function heapBytes(backend: BackendWasm): number {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.length;
}

/**
 * Runs `fn` once to warm up (XNNPACK operators, heap growth), then 20 times inside `tf.tidy`, and
 * asserts that neither the engine's tensors nor the wasm backend's data ids nor its heap grew.
 * The backend count also sees intermediates a kernel made with `makeOutput` and forgot to free.
 */
export function expectNoLeak(fn: () => tf.Tensor | tf.Tensor[]): void {
  const backend = wasmBackend();
  const run = (): void =>
    tf.tidy(() => {
      const out = fn();
      for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
    });
  run();
  const before = { tensors: tf.memory().numTensors, dataIds: backend.numDataIds(), heap: heapBytes(backend) };
  for (let i = 0; i < 20; i++) run();
  const after = { tensors: tf.memory().numTensors, dataIds: backend.numDataIds(), heap: heapBytes(backend) };
  expect(after).toEqual(before);
}
