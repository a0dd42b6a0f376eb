import { tf, unaryCustomGrad } from '@fr/core';

/**
 * Rows `index` of `weight` (`(C, d)` → `(n, d)`), with a gradient that scatters the incoming rows
 * back into a `(C, d)` zero tensor with `tf.scatterND` (duplicates add up). Same values and
 * gradient as `tf.gather(weight, index)`, whose gradient kernel (UnsortedSegmentSum) costs
 * O(C·n·d) on the cpu backend — over a minute for 8 000 classes — against O((C + n)·d) here.
 * ScatterNd exists on the cpu, wasm and webgpu backends.
 * @example
 * ```ts
 * const rows = gatherRows(centres, tf.tensor1d([3, 17, 42], 'int32')); // (3, d)
 * ```
 */
export function gatherRows(weight: tf.Tensor2D, index: tf.Tensor1D): tf.Tensor2D {
  const [numRows, d] = weight.shape;
  const gather = unaryCustomGrad((w, save) => {
    // Saved (cloned and kept by the tape) so the backward pass still has it after the caller's tidy.
    save([index]);
    return {
      value: tf.gather(w, index),
      gradFunc: (dy, saved) => tf.scatterND(tf.expandDims(saved[0] as tf.Tensor1D, 1), dy, [numRows, d]),
    };
  });
  return gather(weight) as tf.Tensor2D;
}
