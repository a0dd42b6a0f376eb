import { tf } from '@fr/core';

/**
 * Index of each row's maximum, `(B,)` int32, the FIRST (lowest) index on ties, whatever the
 * backend's `argMax` does with ties. Call it on values only (inside `constantOf`): it uses
 * comparison ops, which have no gradient in tfjs.
 */
export function firstArgMax(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const cols = x.shape[1];
    const isMax = tf.equal(x, tf.max(x, -1, true));
    const index = tf.broadcastTo(tf.range(0, cols, 1, 'int32'), x.shape);
    return tf.min(tf.where(isMax, index, tf.fill(x.shape, cols, 'int32')), -1) as tf.Tensor1D;
  });
}

/** `x` with each row's `column` entry replaced by −∞ (values only, as {@link firstArgMax}). */
export function maskColumn(x: tf.Tensor2D, column: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const isColumn = tf.cast(tf.oneHot(tf.cast(column, 'int32'), x.shape[1]), 'bool');
    return tf.where(isColumn, tf.fill(x.shape, -Infinity), x) as tf.Tensor2D;
  });
}

/**
 * Σ_j x_ij·onehot(index_i)_j, `(B,)`: the entry each row's constant `index` picks. Its gradient
 * goes to that one entry only (unlike `tf.max`, whose gradient is shared by every tied entry).
 */
export function pick(x: tf.Tensor2D, index: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(x, tf.oneHot(tf.cast(index, 'int32'), x.shape[1])), -1) as tf.Tensor1D);
}
