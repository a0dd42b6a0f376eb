import { tf } from '@fr/core';

/**
 * Wen et al. 2016, eq. 4 — the centre update, one step:
 *
 *   Δc_j = Σ_{i: y_i = j} (c_j − x_i) / (1 + n_j),   c_j ← c_j − α·Δc_j
 *
 * with n_j the number of samples of class j in the batch. Classes absent from the batch keep their
 * centre (Δc_j = 0); the `1 +` keeps a class seen once from jumping all the way onto its sample.
 * Pure: returns the new `(C, d)` centres and leaves the inputs alone. `features` are used as values.
 * @example
 * ```ts
 * const next = centerUpdate(centres, features, labels, 0.5);
 * ```
 */
export function centerUpdate(centres: tf.Tensor2D, features: tf.Tensor2D, labels: tf.Tensor1D, alpha: number): tf.Tensor2D {
  return tf.tidy(() => {
    const numClasses = centres.shape[0];
    const y = tf.cast(labels, 'int32');
    const diff = tf.sub(tf.gather(centres, y), features); // c_{y_i} − x_i
    const sums = tf.unsortedSegmentSum(diff, y, numClasses);
    const counts = tf.unsortedSegmentSum(tf.ones([y.shape[0]]), y, numClasses);
    const delta = tf.div(sums, tf.expandDims(tf.add(counts, 1), 1));
    return tf.sub(centres, tf.mul(delta, alpha)) as tf.Tensor2D;
  });
}
