import { tf, constantOf, defineMargin, replaceTargetLogit, safeSine, targetCosine, type MarginPlugin, checkNumber, arcTargetCosine, StateTensors } from '@fr/core';

/** Options of {@link curricularFace}, e.g. `{ s: 64, m: 0.5 }`. */
export interface CurricularFaceOptions {
  /** Scale s (default 64). */
  readonly s?: number;
  /** Additive angular margin m (default 0.5). */
  readonly m?: number;
  /** Plugin name (default `curricularface`). */
  readonly name?: string;
}

/**
 * CurricularFace (FaceX-Zoo / the authors' `head/metrics.py`): the target is ArcFace with the
 * th/mm fallback; a negative j whose cosine exceeds cos(θ_y + m) is a hard example and becomes
 * cos_j·(t + cos_j). The curriculum parameter t follows t ← 0.01·mean(cos_y) + 0.99·t (no
 * gradient, init 0), updated in training steps only and before it is used, as in the reference.
 *
 * t lives on the device and is plugin state (`getState`/`setState`), so it is checkpointed,
 * restored on resume and rolled back with a skipped non-finite step. The hard-example mask is a
 * constant; the gradient through cos_j·(t + cos_j) is t + 2·cos_j.
 * @example
 * ```ts
 * const margin = curricularFace(); // s 64, m 0.5
 * ```
 */
export function curricularFace(options: CurricularFaceOptions = {}): MarginPlugin {
  const s = checkNumber('curricularFace', 's', options.s ?? 64, 'positive');
  const m = checkNumber('curricularFace', 'm', options.m ?? 0.5, 'nonNegative');
  const state = new StateTensors('curricularFace', { t: 0 });
  const [cosM, sinM] = [Math.cos(m), Math.sin(m)];
  return defineMargin({
    name: options.name ?? 'curricularface',
    logits: ({ cosine, targets }, ctx) => tf.tidy(() => {
      const cosY = targetCosine(cosine, targets);
      const finalTarget = arcTargetCosine(cosY, m, 'th-mm');
      if (ctx.training) {
        state.set('t', constantOf(cosY, (c) => tf.add(tf.mul(tf.mean(c), 0.01), tf.mul(state.get('t'), 0.99))));
      }
      const t = constantOf(cosY, () => tf.clone(state.get('t')));
      // Hard negatives: cos_j > cos(θ_y + m), the plain φ (no fallback) as in the reference.
      const hard = constantOf(cosine, (c) => {
        const cy = targetCosine(c as tf.Tensor2D, targets);
        const phi = tf.sub(tf.mul(cy, cosM), tf.mul(safeSine(cy), sinM));
        return tf.cast(tf.greater(c, tf.expandDims(phi, 1)), 'float32');
      });
      const modulated = tf.mul(cosine, tf.add(t, cosine));
      const adjusted = tf.add(tf.mul(hard, modulated), tf.mul(tf.sub(1, hard), cosine)) as tf.Tensor2D;
      return { logits: replaceTargetLogit(adjusted, targets, finalTarget, s), metrics: { t: tf.clone(state.get('t')) as tf.Scalar } };
    }),
    getState: () => state.getState(),
    setState: (saved) => state.setState(saved),
    dispose: () => state.dispose(),
  });
}
