/**
 * The training kernels tfjs-backend-wasm 4.22 lacks (or implements slowly), registered for the
 * 'wasm' backend. See the package README for what each does and how fast it is.
 */
import '@tensorflow/tfjs-backend-wasm';
import {
  tf,
  FR_BATCH_NORM_ACT,
  FR_BATCH_NORM_ACT_GRAD,
  FR_CLIP_GRAD,
  FR_L2_NORMALIZE,
  FR_L2_NORMALIZE_GRAD,
  FR_REPLACE_TARGETS,
  FR_REPLACE_TARGETS_GRAD,
  FR_SOFTMAX_CROSS_ENTROPY,
  FR_SOFTMAX_CROSS_ENTROPY_GRAD,
  FR_TAKE_TARGETS,
  FR_TAKE_TARGETS_GRAD,
} from '@fr/core';
import { registerCpuFallback } from '@fr/backend-cpu';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './conv2d-backprop-input.js';
import { depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './depthwise-conv2d-backprop.js';
import { batchMatMul } from './batch-mat-mul.js';
import { mean, sum } from './column-reduce.js';
import { gatherV2 } from './gather.js';
import { maxPoolGrad } from './max-pool-grad.js';
import { identity } from './identity.js';
import { captureOriginal, registerWasmKernel } from './kernel-utils.js';
import { unsortedSegmentSum } from './unsorted-segment-sum.js';
import * as marginHead from './simd/margin-head.js';
import { l2NormalizeBackward, l2NormalizeForward } from './simd/l2-normalize.js';
import { batchNormActBackward, batchNormActForward } from './simd/batch-norm-act.js';
import { transposeKernel } from './transpose.js';
import { slice } from './slice.js';

/** Kernels @fr composes from the wasm backend's own (XNNPACK) kernels, or writes for it. */
const COMPOSED: ReadonlyArray<readonly [string, tf.KernelFunc]> = [
  [tf.Conv2DBackpropFilter, conv2DBackpropFilter as tf.KernelFunc],
  [tf.Conv2DBackpropInput, conv2DBackpropInput as tf.KernelFunc],
  [tf.DepthwiseConv2dNativeBackpropInput, depthwiseConv2dNativeBackpropInput as tf.KernelFunc],
  [tf.DepthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropFilter as tf.KernelFunc],
  [tf.UnsortedSegmentSum, unsortedSegmentSum as tf.KernelFunc],
  [tf.BatchMatMul, batchMatMul as tf.KernelFunc],
  // Not composed: a JS loop over the wasm heap (no wasm kernel finds window argmaxes correctly).
  [tf.MaxPoolGrad, maxPoolGrad as tf.KernelFunc],
  // Leading-axes reductions (batch-norm statistics and gradients) as one average pooling instead of a transpose.
  [tf.Sum, sum as tf.KernelFunc],
  [tf.Mean, mean as tf.KernelFunc],
  // Row copies on the heap instead of a per-element index loop (Partial FC gathers its centres).
  [tf.GatherV2, gatherV2 as tf.KernelFunc],
  // Shares the buffer instead of copying it (the tape clones every tensor a gradient keeps).
  [tf.Identity, identity as tf.KernelFunc],
  // Copies from a view of the heap, not from a full copy of the input.
  [tf.Slice, slice as tf.KernelFunc],
  // 4×4 SIMD tiles instead of a per-element index loop.
  [tf.Transpose, transposeKernel as tf.KernelFunc],
  // @fr's fused kernels (named in @fr/core's fused-kernels.ts), on its SIMD module.
  [FR_BATCH_NORM_ACT, batchNormActForward as unknown as tf.KernelFunc],
  [FR_BATCH_NORM_ACT_GRAD, batchNormActBackward as unknown as tf.KernelFunc],
  [FR_L2_NORMALIZE, l2NormalizeForward as unknown as tf.KernelFunc],
  [FR_L2_NORMALIZE_GRAD, l2NormalizeBackward as unknown as tf.KernelFunc],
  [FR_SOFTMAX_CROSS_ENTROPY, marginHead.softmaxCrossEntropyForward as unknown as tf.KernelFunc],
  [FR_SOFTMAX_CROSS_ENTROPY_GRAD, marginHead.softmaxCrossEntropyBackward as unknown as tf.KernelFunc],
  [FR_TAKE_TARGETS, marginHead.takeTargetsForward as unknown as tf.KernelFunc],
  [FR_TAKE_TARGETS_GRAD, marginHead.takeTargetsBackward as unknown as tf.KernelFunc],
  [FR_REPLACE_TARGETS, marginHead.replaceTargetsForward as unknown as tf.KernelFunc],
  [FR_REPLACE_TARGETS_GRAD, marginHead.replaceTargetsBackward as unknown as tf.KernelFunc],
  [FR_CLIP_GRAD, marginHead.clipByValueBackward as unknown as tf.KernelFunc],
];

/**
 * Kernels that run on the cpu backend instead (rare, off a face backbone's hot path):
 * - Einsum: missing on wasm (and has no gradient anywhere);
 * - MaxPoolWithArgmax: wasm's version starts each window's running max at
 *   `numeric_limits<float>::min()` (the smallest positive float), so windows whose values are all
 *   ≤ 0 get a wrong index (MaxPoolGrad has the same bug; see max-pool-grad.ts).
 * Complex/FFT kernels are not here: complex tensors cannot live on wasm; see `runOnCpu`.
 */
const CPU_FALLBACKS: readonly string[] = [tf.Einsum, tf.MaxPoolWithArgmax];

/** The kernel names {@link registerWasmTrainingKernels} registers for the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = [...COMPOSED.map(([name]) => name), ...CPU_FALLBACKS];

let registered = false;

/**
 * Registers the training kernels tfjs-backend-wasm lacks for the 'wasm' backend: conv and depthwise
 * conv gradients and UnsortedSegmentSum (gather's gradient) composed from wasm's own kernels,
 * faster Conv2DBackpropInput and BatchMatMul (transposed products), a correct MaxPoolGrad, and cpu
 * fallbacks for rare kernels. Idempotent; call it before (or after) `tf.setBackend('wasm')`.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  // Where wasm has its own version (Conv2DBackpropInput, BatchMatMul, MaxPoolGrad, MaxPoolWithArgmax),
  // keep it callable: replacements build on it, and benchmarks compare against it.
  for (const name of WASM_TRAINING_KERNELS) captureOriginal(name);
  for (const [name, kernelFunc] of COMPOSED) registerWasmKernel(name, kernelFunc);
  for (const name of CPU_FALLBACKS) registerCpuFallback(name, 'wasm');
  registered = true;
}
