import { tf } from '@fr/core';
import { labelMasks, mineTriplets, type MinerInput, type Triplets } from './triplets.js';

/**
 * Batch-all mining (Hermans et al. 2017): every valid triplet of the batch — anchor a, positive
 * p ≠ a with the same label, negative n with another label. Slot `a·B² + p·B + n` (`T = B³`, so
 * memory grows with the cube of the batch size: 16.7 M slots at B = 256). Pair it with the
 * `mean-nonzero` reduction (the default for this miner in {@link tripletLoss}): the mean over
 * the triplets that still violate the margin, as in the paper's "BA≠0".
 * @example
 * ```ts
 * const triplets = batchAllMiner({ distances, labels, margin: 0.2 });
 * ```
 */
export function batchAllMiner({ distances, labels }: MinerInput): Triplets {
  return mineTriplets(distances, labels, (d, y) => {
    const b = d.shape[0];
    const { positive, negative } = labelMasks(y);
    const cube = [b, b, b];
    const axis = (k: number): tf.Tensor => {
      const shape = [1, 1, 1];
      shape[k] = b;
      return tf.broadcastTo(tf.reshape(tf.range(0, b, 1, 'int32'), shape), cube);
    };
    return {
      anchor: axis(0),
      positive: axis(1),
      negative: axis(2),
      valid: tf.logicalAnd(tf.expandDims(positive, 2), tf.expandDims(negative, 1)),
    };
  });
}
