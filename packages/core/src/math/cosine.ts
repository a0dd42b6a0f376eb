import { tf } from '../tf.js';
import { l2Normalize } from './normalize.js';

/**
 * Cosine of every embedding to every class centre: normalize(E) · normalize(W)ᵀ, clamped to
 * [−1, 1] (rounding can push it past ±1 and make `acos`/`sqrt(1−cos²)` NaN).
 * @param embeddings `(B, d)` raw embeddings
 * @param centres `(C, d)` raw class centres (PyTorch layout, one row per class)
 */
export function cosineToCentres(embeddings: tf.Tensor2D, centres: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const cos = tf.matMul(l2Normalize(embeddings), l2Normalize(centres), false, true);
    return tf.clipByValue(cos, -1, 1) as tf.Tensor2D;
  });
}
