import { tf } from '@fr/core';
import { labelMasks, mineTriplets, type MinerInput, type Triplets } from './triplets.js';

/**
 * Semi-hard mining (FaceNet, Schroff et al. 2015): every anchor–positive pair of the batch is used,
 * each with one negative that is farther from the anchor than the positive but still inside the
 * margin, d(a,p) < d(a,n) < d(a,p) + α. Among those, the closest one is taken (the "hardest
 * semi-hard" negative, as in TensorFlow's `triplet_semihard_loss`).
 *
 * When an anchor–positive pair has no semi-hard negative, the anchor's hardest negative (the
 * closest one of another identity) is used instead. Its loss is 0 when every negative is already
 * beyond d(a,p) + α, and ≥ α when the closest negative is nearer than the positive. (FaceNet does
 * not say; TensorFlow's `triplet_semihard_loss` does not bound the window by α and falls back to
 * the *farthest* negative.)
 *
 * One slot per ordered pair (a, p): slot `a·B + p` (`T = B²`); slots that are not
 * anchor–positive pairs, or whose anchor has no negative, are invalid. Ties go to the lowest index.
 * @example
 * ```ts
 * const triplets = semiHardMiner({ distances, labels, margin: 0.2 });
 * ```
 */
export function semiHardMiner({ distances, labels, margin }: MinerInput): Triplets {
  return mineTriplets(distances, labels, (d, y) => {
    const b = d.shape[0];
    const { positive, negative } = labelMasks(y);
    const dap = tf.expandDims(d, 2); // (a, p, 1)
    const dan = tf.expandDims(d, 1); // (a, 1, n)
    const semiHard = tf.logicalAnd(
      tf.expandDims(negative, 1),
      tf.logicalAnd(tf.greater(dan, dap), tf.less(dan, tf.add(dap, margin))),
    ); // (a, p, n)
    const closestSemiHard = tf.argMin(tf.where(semiHard, tf.broadcastTo(dan, [b, b, b]), tf.fill([b, b, b], Infinity)), 2);
    const hardest = tf.argMin(tf.where(negative, d, tf.fill([b, b], Infinity)), 1); // (a,)
    const chosen = tf.where(tf.any(semiHard, 2), closestSemiHard, tf.broadcastTo(tf.expandDims(hardest, 1), [b, b]));
    const range = tf.range(0, b, 1, 'int32');
    return {
      anchor: tf.broadcastTo(tf.expandDims(range, 1), [b, b]),
      positive: tf.broadcastTo(tf.expandDims(range, 0), [b, b]),
      negative: chosen,
      valid: tf.logicalAnd(positive, tf.expandDims(tf.any(negative, 1), 1)),
    };
  });
}
