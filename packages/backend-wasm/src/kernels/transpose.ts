/**
 * Transpose for the wasm backend on @fr's SIMD kernel (see simd/transpose.ts); tfjs' own for what
 * that does not take (merged rank above 4, dtypes other than float32 and int32).
 */
import type { tf } from '@fr/core';
import { originalKernel, type TensorInfo, type WasmBackend } from './kernel-utils.js';
import { transposeSimd } from './simd/transpose.js';

/** Kernel function for `Transpose` on wasm. */
export function transposeKernel(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: TensorInfo };
  const { perm } = args.attrs as unknown as tf.TransposeAttrs;
  return transposeSimd(backend, x, perm) ?? (originalKernel('Transpose', backend)(args as Parameters<tf.KernelFunc>[0]) as TensorInfo);
}
