/**
 * Shared plumbing of @fr's cpu-backend kernels: typed access to the cpu backend's data and the
 * stock kernel each one replaces (kept for the cases the fast path does not cover).
 */
import { tf } from '@fr/core';

export type KernelArgs = Parameters<tf.KernelFunc>[0];

export interface CpuBackendLike {
  data: { get(dataId: unknown): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

const originals = new Map<string, tf.KernelConfig>();

/** Runs the stock tfjs-backend-cpu kernel that `name` replaced. */
export function stock(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  return (originals.get(name) as tf.KernelConfig).kernelFunc(args);
}

/** Replaces the cpu backend's kernel `name` with `kernelFunc`, once (idempotent). */
export function replaceCpuKernel(name: string, kernelFunc: tf.KernelFunc): void {
  if (originals.has(name)) return;
  const original = tf.getKernel(name, 'cpu');
  if (!original) throw new Error(`the cpu backend has no ${name} kernel to replace`);
  originals.set(name, original);
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel({ kernelName: name, backendName: 'cpu', kernelFunc });
}

/** Puts a stock kernel back (used by the tests that compare the two). */
export function restoreStockCpuKernel(name: string): void {
  const original = originals.get(name);
  if (!original) return;
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel(original);
  originals.delete(name);
}
