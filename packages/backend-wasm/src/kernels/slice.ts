/**
 * Slice for the wasm backend, replacing tfjs-backend-wasm's, which starts with `readSync` of the
 * whole input — a copy of all of it — to cut out a piece: reading one element of a 100k × 512
 * class-centre gradient copied 200 MB. This copies the same rows straight from a view of the heap.
 * String tensors keep wasm's kernel.
 */
import { tf } from '@fr/core';
import { originalKernel, type TensorInfo, type WasmBackend } from './kernel-utils.js';

/** Kernel function for `Slice` on wasm. */
export function slice(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return originalKernel(tf.Slice, backend)(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [number[], number[]];
  tf.slice_util.assertParamsValid(x as tf.Tensor, start, extent);
  const out = backend.makeOutput(extent, x.dtype);
  const count = tf.util.sizeFromShape(extent);
  if (count === 0) return out;
  // Views only after the allocation above: growing the heap detaches earlier ones.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  const rank = x.shape.length;
  // Copy runs of the innermost axis; walk the outer axes of the output like an odometer.
  const row = rank === 0 ? 1 : extent[rank - 1]!;
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let at = 0; at < count; at += row) {
    let from = rank === 0 ? 0 : start[rank - 1]!;
    for (let k = 0; k < rank - 1; k++) from += (start[k]! + index[k]!) * strides[k]!;
    dst.set(src.subarray(from, from + row), at);
    for (let k = rank - 2; k >= 0; k--) {
      if (++index[k]! < extent[k]!) break;
      index[k] = 0;
    }
  }
  return out;
}
