import { tf } from '../tf.js';
import { constantOf } from './gradient.js';

/**
 * Euclidean distances between all rows, `(B, B)`, computed from difference vectors (exact zeros
 * for identical rows, unlike the Gram-matrix trick). The square root is taken of max(d², eps) so
 * the diagonal and duplicate rows have a zero, not NaN, gradient (PyTorch masks 0/0 there).
 */
export function pairwiseEuclidean(x: tf.Tensor2D, eps = 1e-24): tf.Tensor2D {
  return tf.tidy(() => {
    const diff = tf.sub(tf.expandDims(x, 1), tf.expandDims(x, 0));
    const sq = tf.sum(tf.square(diff), -1);
    const zero = constantOf(sq, (v) => tf.cast(tf.lessEqual(v, eps), 'float32'));
    // Where d² ≤ eps the distance is exactly 0; elsewhere sqrt(d²). The mask is value-only.
    return tf.mul(tf.sqrt(tf.maximum(sq, eps)), tf.sub(1, zero)) as tf.Tensor2D;
  });
}
