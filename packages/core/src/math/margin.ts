import { tf } from '../tf.js';
import { FR_REPLACE_TARGETS, FR_REPLACE_TARGETS_GRAD, FR_TAKE_TARGETS, FR_TAKE_TARGETS_GRAD, backendHasKernel } from '../backend/fused-kernels.js';
import { constantOf } from './gradient.js';

function hasKernels(...names: string[]): boolean {
  return names.every(backendHasKernel);
}

function int32Targets(targets: tf.Tensor1D): tf.Tensor1D {
  return targets.dtype === 'int32' ? targets : (tf.cast(targets, 'int32') as tf.Tensor1D);
}

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
  if (cosine.dtype === 'float32' && hasKernels(FR_TAKE_TARGETS, FR_TAKE_TARGETS_GRAD)) {
    // One pass each way instead of oneHot, Cast, Multiply and Sum over (B, C).
    const t = int32Targets(targets);
    const columns = cosine.shape[1];
    const op = tf.customGrad(((c: tf.Tensor, save: tf.GradSaveFunc) => {
      save([t]);
      return {
        value: tf.engine().runKernel(FR_TAKE_TARGETS, { x: c, targets: t }, {}) as tf.Tensor,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(FR_TAKE_TARGETS_GRAD, { dy, targets: saved[0]! }, { columns }) as tf.Tensor,
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (c: tf.Tensor) => tf.Tensor1D;
    return op(cosine);
  }
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
  if (cosine.dtype === 'float32' && targetValue.dtype === 'float32' && hasKernels(FR_REPLACE_TARGETS, FR_REPLACE_TARGETS_GRAD)) {
    const t = int32Targets(targets);
    const op = tf.customGrad(((c: tf.Tensor, v: tf.Tensor, save: tf.GradSaveFunc) => {
      save([t]);
      return {
        value: tf.engine().runKernel(FR_REPLACE_TARGETS, { x: c, targets: t, values: v }, { scale }) as tf.Tensor,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(FR_REPLACE_TARGETS_GRAD, { dy, targets: saved[0]! }, { scale }) as tf.Tensor[],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (c: tf.Tensor, v: tf.Tensor) => tf.Tensor2D;
    return op(cosine, targetValue);
  }
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(targets, 'int32'), cosine.shape[1]);
    const current = tf.sum(tf.mul(cosine, onehot), -1);
    const delta = tf.expandDims(tf.sub(targetValue, current), 1);
    return tf.mul(tf.add(cosine, tf.mul(onehot, delta)), scale) as tf.Tensor2D;
  });
}

/**
 * What the ArcFace target does where cos(θ + m) stops decreasing in θ:
 * - `th-mm` — classic insightface (easy_margin=False): φ where cos > cos(π − m), else cos − m·sin m;
 * - `easy` — easy_margin=True: φ where cos > 0, else cos unchanged;
 * - `none` — φ everywhere (current arcface_torch, MXNet combined margin).
 */
export type ArcFallback = 'th-mm' | 'easy' | 'none';

/**
 * The ArcFace target cosine φ = cos(θ + m) = cos·cos m − sin·sin m with the true gradient, from
 * the target cosines `(B,)`. sin θ is `safeSine` (sqrt(max(1 − cos², 1e-12))), so value and
 * gradient stay finite at |cos| = 1. `m` is a number, or a `(B,)` tensor for per-sample margins
 * (MagFace), in which case the gradient also flows into `m`. The branch masks are constants.
 * @example
 * ```ts
 * const phi = arcTargetCosine(targetCosine(cosine, targets), 0.5, 'th-mm');
 * ```
 */
export function arcTargetCosine(cosY: tf.Tensor1D, m: number | tf.Tensor1D, fallback: ArcFallback): tf.Tensor1D {
  return tf.tidy(() => {
    const cosM = typeof m === 'number' ? Math.cos(m) : tf.cos(m);
    const sinM = typeof m === 'number' ? Math.sin(m) : tf.sin(m);
    const phi = tf.sub(tf.mul(cosY, cosM), tf.mul(safeSine(cosY), sinM)) as tf.Tensor1D;
    if (fallback === 'none') return phi;
    // Masks are built inside constantOf: comparison ops have no gradient in tfjs.
    const mask = constantOf(cosY, (v) => {
      if (fallback === 'easy') return tf.cast(tf.greater(v, 0), 'float32');
      // th = cos(π − m) = −cos m.
      const th = typeof cosM === 'number' ? -cosM : tf.neg(cosM);
      return tf.cast(tf.greater(v, th), 'float32');
    });
    // mm = sin(π − m)·m = m·sin m.
    const otherwise = fallback === 'easy' ? cosY : tf.sub(cosY, typeof m === 'number' ? m * Math.sin(m) : tf.mul(m, sinM));
    return tf.add(tf.mul(mask, phi), tf.mul(tf.sub(1, mask), otherwise)) as tf.Tensor1D;
  });
}
