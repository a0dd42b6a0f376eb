import { tf } from '../tf.js';
import { clipByValue } from './clip.js';
import { l2Normalize } from './normalize.js';

/**
 * Cosine of every embedding to every class center: normalize(E) · normalize(W)ᵀ, clamped to
 * [−1, 1] (rounding can push it past ±1 and make `acos`/`sqrt(1−cos²)` NaN).
 * @param embeddings `(B, d)` raw embeddings
 * @param centers `(C, d)` raw class centers (PyTorch layout, one row per class)
 */
export function cosineToCenters(embeddings: tf.Tensor2D, centers: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const cos = tf.matMul(l2Normalize(embeddings), l2Normalize(centers), false, true);
    return clipByValue(cos as tf.Tensor2D, -1, 1);
  });
}

/** @deprecated Renamed {@link cosineToCenters} (one spelling, `center`); this alias goes in the next minor release. */
export const cosineToCentres = cosineToCenters;
