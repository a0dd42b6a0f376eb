import { tf, pairwiseEuclidean } from '@fr/core';

/**
 * How two embeddings are compared: `squared` ‖a − b‖² (FaceNet, and the article's formula) or
 * `euclidean` ‖a − b‖ (Hermans et al. 2017 found the plain distance trains more stably).
 */
export type TripletDistance = 'squared' | 'euclidean';

/**
 * Distances between all rows, `(B, B)`, computed from difference vectors so identical rows give
 * an exact 0. The plain Euclidean distance uses core's zero-safe {@link pairwiseEuclidean} (the
 * square root has a zero, not NaN, gradient at 0); the squared distance needs no guard.
 * @example
 * ```ts
 * const d = pairwiseDistances(l2Normalize(embedding), 'squared'); // (B, B), values in [0, 4]
 * ```
 */
export function pairwiseDistances(x: tf.Tensor2D, distance: TripletDistance = 'squared'): tf.Tensor2D {
  if (distance === 'euclidean') return pairwiseEuclidean(x);
  return tf.tidy(() => {
    const diff = tf.sub(tf.expandDims(x, 1), tf.expandDims(x, 0));
    return tf.sum(tf.square(diff), -1) as tf.Tensor2D;
  });
}
