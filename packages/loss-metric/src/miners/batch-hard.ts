import { tf } from '@fr/core';
import { labelMasks, mineTriplets, type MinerInput, type Triplets } from './triplets.js';

/**
 * Batch-hard mining (Hermans et al. 2017; the article's "farthest same face, closest other face"):
 * for every anchor, its hardest positive (largest distance, same label) and its hardest negative
 * (smallest distance, other label). One triplet per anchor (`T = B`); an anchor without a
 * positive or without a negative in the batch gives an invalid slot. Ties go to the lowest index.
 * @example
 * ```ts
 * const triplets = batchHardMiner({ distances, labels, margin: 0.2 });
 * ```
 */
export function batchHardMiner({ distances, labels }: MinerInput): Triplets {
  return mineTriplets(distances, labels, (d, y) => {
    const b = d.shape[0];
    const { positive, negative } = labelMasks(y);
    // Distances are ≥ 0, so −1 never wins the max; +∞ never wins the min.
    const hardestPositive = tf.argMax(tf.where(positive, d, tf.fill([b, b], -1)), 1);
    const hardestNegative = tf.argMin(tf.where(negative, d, tf.fill([b, b], Infinity)), 1);
    return {
      anchor: tf.range(0, b, 1, 'int32'),
      positive: hardestPositive,
      negative: hardestNegative,
      valid: tf.logicalAnd(tf.any(positive, 1), tf.any(negative, 1)),
    };
  });
}
