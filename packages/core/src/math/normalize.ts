import { tf } from '../tf.js';

/**
 * L2-normalises along the last axis: x / max(‖x‖, eps), as PyTorch's `F.normalize`. The norm is
 * taken as sqrt(max(Σx², eps²)) so a zero row has a zero (not NaN) gradient.
 */
export function l2Normalize<T extends tf.Tensor>(x: T, eps = 1e-12): T {
  return tf.tidy(() => {
    const sumSq = tf.sum(tf.square(x), -1, true);
    return tf.div(x, tf.sqrt(tf.maximum(sumSq, eps * eps))) as T;
  });
}

/** L2 norm of each row (last axis), `(B,)`, with the same zero-safe gradient as {@link l2Normalize}. */
export function rowNorm(x: tf.Tensor2D, eps = 1e-12): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1), eps * eps)) as tf.Tensor1D);
}
