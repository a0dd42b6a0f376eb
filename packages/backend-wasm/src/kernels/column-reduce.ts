/**
 * Sum and Mean over *leading* axes for the wasm backend — batch norm's statistics and gradients
 * (`[N,H,W,C]` reduced to `[C]`), bias gradients, per-feature means.
 *
 * tfjs-backend-wasm reduces only innermost axes, so for these it first transposes the whole
 * input to put the reduced axes last: ~50 ms to sum a fresh [32,56,56,64] activation, about a
 * quarter of a MobileFaceNet training step over all its batch-norm layers. Viewed as an image
 * `[1, rows, 1, cols]`, the same reduction is one XNNPACK average pooling with a `[rows, 1]` window
 * (SIMD, a single pass, no packing): ~5 ms. Sum scales the mean by `rows` in place. (A GEMM with a
 * ones vector is as fast only when XNNPACK has already packed that very tensor.) Every other
 * reduction (inner axes, non-float32 data) keeps wasm's kernel.
 */
import { tf } from '@fr/core';
import { originalKernel, reshape, runKernel, withScratch, type TensorInfo, type WasmBackend } from './kernel-utils.js';

type ReduceArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** `[rows, cols]` when `axis` names exactly the leading axes 0..k−1 (k < rank) of `shape`. */
function leadingAxes(shape: readonly number[], axis: number | number[]): { rows: number; cols: number; reduced: number[] } | null {
  const axes = tf.util.parseAxisParam(axis, [...shape]).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length || axes.some((a, i) => a !== i)) return null;
  return { rows: tf.util.sizeFromShape(shape.slice(0, axes.length)), cols: tf.util.sizeFromShape(shape.slice(axes.length)), reduced: axes };
}

function reduceLeading(kernelName: typeof tf.Sum | typeof tf.Mean, args: ReduceArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const plan = x.dtype === 'float32' ? leadingAxes(x.shape, axis) : null;
  if (plan === null || plan.rows < 2 || plan.cols < 2) {
    return originalKernel(kernelName, backend)(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  const { rows, cols, reduced } = plan;
  const kept = x.shape.slice(reduced.length);
  const outShape = keepDims ? tf.backend_util.expandShapeToKeepDim(kept, reduced) : kept;
  return withScratch(backend, (s) => {
    const column = reshape(s, x, [1, rows, 1, cols]);
    const pooled = s.track(runKernel(tf.AvgPool, { x: column }, { filterSize: [rows, 1], strides: 1, pad: 'valid' }, backend));
    const values = backend.typedArrayFromHeap(pooled) as Float32Array;
    // XNNPACK clamps its output, which turns NaN into −Infinity: redo a non-finite result the
    // original way, so NaN stays NaN (rare: only a run that is already diverging gets here).
    if (!values.every(Number.isFinite)) return originalKernel(kernelName, backend)(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
    if (kernelName === tf.Sum) for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * rows;
    return runKernel(tf.Reshape, { x: pooled }, { shape: outShape }, backend);
  });
}

/** Kernel function for `Sum` on wasm: leading-axes float32 sums as one average pooling, the rest as before. */
export function sum(args: ReduceArgs): TensorInfo {
  return reduceLeading(tf.Sum, args);
}

/** Kernel function for `Mean` on wasm: leading-axes float32 means as one average pooling, the rest as before. */
export function mean(args: ReduceArgs): TensorInfo {
  return reduceLeading(tf.Mean, args);
}
