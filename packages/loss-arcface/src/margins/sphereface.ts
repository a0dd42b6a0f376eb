import { tf, constantOf, defineMargin, targetCosine, type MarginPlugin, checkNumber } from '@fr/core';

/** Options of {@link sphereface}, e.g. `{ s: 30, m: 1.5 }` (OpenSphere). */
export interface SphereFaceOptions {
  /** Scale s (default 30, OpenSphere). */
  readonly s?: number;
  /** Multiplicative angular margin m (default 1.5, OpenSphere's SphereFace-R style; the paper uses 4). */
  readonly m?: number;
  /** Plugin name (default `sphereface`). */
  readonly name?: string;
}

/**
 * SphereFace in OpenSphere's form (`model/head/sphereface.py`): the target logit is s·ψ(θ_y) with
 * ψ(θ) = (−1)^k·cos(mθ) − 2k, k = ⌊mθ/π⌋, θ = acos(clamp(cos, ±(1 − 1e-5))); other logits s·cos.
 *
 * Gradient detachment, as in OpenSphere: the margin delta ψ − cos is computed as a constant and
 * added, so ∂logit/∂cos = s for every entry (a custom gradient on purpose). Only the B target
 * deltas are computed; OpenSphere's non-target deltas are the ±1e-5 clamp's rounding (|δ| < 1e-5).
 *
 * Code vs paper: the paper (m = 4, feature-norm logits, annealing with softmax) is not reproduced;
 * OpenSphere also renormalises its weight in place each step, which the centre bank's own
 * normalisation makes unnecessary here.
 * @example
 * ```ts
 * const margin = sphereface(); // s 30, m 1.5
 * ```
 */
export function sphereface(options: SphereFaceOptions = {}): MarginPlugin {
  const s = checkNumber('sphereface', 's', options.s ?? 30, 'positive');
  const m = checkNumber('sphereface', 'm', options.m ?? 1.5, 'positive');
  return defineMargin({
    name: options.name ?? 'sphereface',
    logits: ({ cosine, targets }) => tf.tidy(() => {
      const cosY = targetCosine(cosine, targets);
      const delta = constantOf(cosY, (c) => {
        const mTheta = tf.mul(tf.acos(tf.clipByValue(c, -1 + 1e-5, 1 - 1e-5)), m);
        const k = tf.floor(tf.div(mTheta, Math.PI));
        const sign = tf.sub(1, tf.mul(tf.mod(k, 2), 2)); // (−1)^k
        const psi = tf.sub(tf.mul(sign, tf.cos(mTheta)), tf.mul(k, 2));
        return tf.sub(psi, c);
      });
      const onehot = tf.oneHot(tf.cast(targets, 'int32'), cosine.shape[1]);
      return { logits: tf.mul(tf.add(cosine, tf.mul(onehot, tf.expandDims(delta, 1))), s) as tf.Tensor2D };
    }),
  });
}
