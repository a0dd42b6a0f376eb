import { tf, constantOf, detach } from '@fr/core';
import type { Triplets } from '../miners/triplets.js';

/**
 * How the per-triplet losses [d(a,p) − d(a,n) + α]₊ of the valid slots become one number:
 * - `mean`: their mean (batch-hard: over anchors; semi-hard: over anchor–positive pairs);
 * - `mean-nonzero`: the mean over the triplets with a positive loss only (batch-all "BA≠0";
 *   pytorch-metric-learning's `AvgNonZeroReducer`), 0 when none is active;
 * - `sum`: their sum (FaceNet's Σᵢ, which makes the scale depend on the batch).
 */
export type TripletReduction = 'mean' | 'mean-nonzero' | 'sum';

export interface TripletMarginOptions {
  /** α (FaceNet: 0.2 on L2-normalised embeddings with squared distances). */
  readonly margin: number;
  readonly reduction: TripletReduction;
}

export interface TripletMarginResult {
  /** The reduced loss (differentiable in the distances). */
  readonly loss: tf.Scalar;
  /** Valid triplets with a positive loss, over valid triplets (0 when there is none); a constant. */
  readonly activeFraction: tf.Scalar;
  /** Number of valid triplets; a constant. */
  readonly count: tf.Scalar;
  /** Mean d(a,p) and d(a,n) over the valid triplets; constants. */
  readonly positiveDistance: tf.Scalar;
  readonly negativeDistance: tf.Scalar;
}

/**
 * The triplet margin loss on mined triplets: ℓ = [d(a,p) − d(a,n) + α]₊ per valid slot, then
 * reduced. Gradients reach the distances (and through them the embeddings) only via d(a,p) and
 * d(a,n); the triplet choice is a constant. `triplets` must come from a miner built on
 * {@link mineTriplets} (or be plain constants): its int32 indices must not be on the tape's path.
 * @example
 * ```ts
 * const d = pairwiseDistances(l2Normalize(embedding), 'squared');
 * const { loss } = tripletMarginLoss(d, batchHardMiner({ distances: d, labels, margin: 0.2 }), { margin: 0.2, reduction: 'mean' });
 * ```
 */
export function tripletMarginLoss(distances: tf.Tensor2D, triplets: Triplets, options: TripletMarginOptions): TripletMarginResult {
  return tf.tidy(() => {
    const b = distances.shape[0];
    const flat = tf.reshape(distances, [b * b]);
    // Flat (a·B + x) indices. The triplets are constants off the differentiable path (see
    // mineTriplets): gather's int32 indices must not receive a gradient.
    const pairIndex = (other: tf.Tensor1D): tf.Tensor1D => tf.add(tf.mul(triplets.anchor, tf.scalar(b, 'int32')), other) as tf.Tensor1D;
    const dap = tf.gather(flat, pairIndex(triplets.positive)) as tf.Tensor1D;
    const dan = tf.gather(flat, pairIndex(triplets.negative)) as tf.Tensor1D;
    const perTriplet = tf.mul(tf.relu(tf.add(tf.sub(dap, dan), options.margin)), triplets.valid);
    const total = tf.sum(perTriplet);
    const count = tf.sum(triplets.valid) as tf.Scalar;
    // constantOf's node must keep its input's shape (its gradient is zeros shaped like its output):
    // build the 0/1 mask inside it, count outside.
    const active = tf.sum(constantOf(perTriplet, (l) => tf.cast(tf.greater(l, 0), 'float32'))) as tf.Scalar;
    const atLeastOne = (n: tf.Scalar): tf.Scalar => tf.maximum(n, 1) as tf.Scalar;
    let loss: tf.Scalar;
    if (options.reduction === 'sum') loss = total as tf.Scalar;
    else if (options.reduction === 'mean') loss = tf.div(total, atLeastOne(count)) as tf.Scalar;
    else loss = tf.div(total, atLeastOne(active)) as tf.Scalar;
    const meanOverValid = (x: tf.Tensor1D): tf.Scalar => tf.div(tf.sum(tf.mul(detach(x), triplets.valid)), atLeastOne(count)) as tf.Scalar;
    return {
      loss,
      activeFraction: tf.div(active, atLeastOne(count)) as tf.Scalar,
      count,
      positiveDistance: meanOverValid(dap),
      negativeDistance: meanOverValid(dan),
    };
  });
}
