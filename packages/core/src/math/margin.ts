import { tf } from '../tf.js';

/**
 * sin θ from cos θ as sqrt(max(1 − cos², eps)). The `max` keeps both the value and the gradient
 * finite at |cos| = 1, where a plain sqrt has an infinite derivative (0·∞ = NaN in backprop).
 */
export function safeSine(cos: tf.Tensor, eps = 1e-12): tf.Tensor {
  return tf.tidy(() => tf.sqrt(tf.maximum(tf.sub(1, tf.square(cos)), eps)));
}

/** θ = acos(clamp(cos, −1 + eps, 1 − eps)): a finite gradient everywhere (MXNet/combined-margin form). */
export function safeAcos(cos: tf.Tensor, eps = 1e-7): tf.Tensor {
  return tf.tidy(() => tf.acos(tf.clipByValue(cos, -1 + eps, 1 - eps)));
}

/** The cosine of each sample's target column, `(B,)`. */
export function targetCosine(cosine: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(targets, 'int32'), cosine.shape[1]);
    return tf.sum(tf.mul(cosine, onehot), -1) as tf.Tensor1D;
  });
}

/**
 * Replaces each row's target entry by `targetValue` (`(B,)`) and scales everything by `scale`:
 * logits = s·(cos + onehot·(target − cos_y)). Only B margin values are computed, not B·C, which
 * matters for 100k-class heads; gradients reach both the target value and the other cosines.
 */
export function replaceTargetLogit(cosine: tf.Tensor2D, targets: tf.Tensor1D, targetValue: tf.Tensor1D, scale: number): tf.Tensor2D {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(targets, 'int32'), cosine.shape[1]);
    const current = tf.sum(tf.mul(cosine, onehot), -1);
    const delta = tf.expandDims(tf.sub(targetValue, current), 1);
    return tf.mul(tf.add(cosine, tf.mul(onehot, delta)), scale) as tf.Tensor2D;
  });
}
