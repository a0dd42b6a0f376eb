import { tf, defineMargin, replaceTargetLogit, targetCosine, type MarginPlugin, checkNumber, arcTargetCosine } from '@fr/core';

/** Options of {@link magface}, e.g. `{ lambdaG: 20 }` for FaceX-Zoo's regulariser weight. */
export interface MagFaceOptions {
  /** Scale s (default 64). */
  readonly s?: number;
  /** Lower bound l_a of the magnitude a = ‖z‖ (default 10). */
  readonly la?: number;
  /** Upper bound u_a (default 110). */
  readonly ua?: number;
  /** Margin at a = l_a (default 0.45). */
  readonly lm?: number;
  /** Margin at a = u_a (default 0.8). */
  readonly um?: number;
  /** Weight λ_g of the regulariser g(a) (default 35, MagFace's `run.sh`; FaceX-Zoo uses 20). */
  readonly lambdaG?: number;
  /** Margin only where cos > 0, as the official `MagLinear` (default true); false uses th/mm. */
  readonly easyMargin?: boolean;
  /** Plugin name (default `magface`). */
  readonly name?: string;
}

/**
 * MagFace (`models/magface.py`, `run/run.sh` of IrvingMeng/MagFace): ArcFace whose margin grows
 * with the embedding magnitude, plus a regulariser that pulls the magnitude up.
 * - a = ‖z‖ clamped to [l_a, u_a] (read from `embeddingNorm`, not detached);
 * - m(a) = (u_m − l_m)/(u_a − l_a)·(a − l_a) + l_m; target s·cos(θ_y + m(a)) with easy margin;
 * - term `g` = λ_g·mean(a/u_a² + 1/a), added to the loss by the trainer.
 *
 * The embedding norm receives gradient through g(a) and through the margin m(a) (zero outside
 * [l_a, u_a], where the clamp is flat), as in the reference.
 * @example
 * ```ts
 * const margin = magface(); // s 64, a ∈ [10, 110], m ∈ [0.45, 0.8], λ_g 35
 * ```
 */
export function magface(options: MagFaceOptions = {}): MarginPlugin {
  const owner = 'magface';
  const s = checkNumber(owner, 's', options.s ?? 64, 'positive');
  const la = checkNumber(owner, 'la', options.la ?? 10, 'positive');
  const ua = checkNumber(owner, 'ua', options.ua ?? 110, 'positive');
  const lm = checkNumber(owner, 'lm', options.lm ?? 0.45, 'nonNegative');
  const um = checkNumber(owner, 'um', options.um ?? 0.8, 'nonNegative');
  const lambdaG = checkNumber(owner, 'lambdaG', options.lambdaG ?? 35, 'nonNegative');
  if (!(ua > la)) throw new Error(`${owner}: ua (${ua}) must be greater than la (${la})`);
  const slope = (um - lm) / (ua - la);
  const fallback = (options.easyMargin ?? true) ? 'easy' : 'th-mm';
  return defineMargin({
    name: options.name ?? 'magface',
    logits: ({ cosine, targets, embeddingNorm }) => tf.tidy(() => {
      const a = tf.clipByValue(embeddingNorm, la, ua) as tf.Tensor1D;
      const margin = tf.add(tf.mul(tf.sub(a, la), slope), lm) as tf.Tensor1D;
      const target = arcTargetCosine(targetCosine(cosine, targets), margin, fallback);
      const g = tf.mean(tf.add(tf.div(a, ua * ua), tf.div(1, a)));
      return {
        logits: replaceTargetLogit(cosine, targets, target, s),
        terms: { g: tf.mul(g, lambdaG) as tf.Scalar },
        metrics: { magnitude: tf.mean(a) as tf.Scalar, margin: tf.mean(margin) as tf.Scalar },
      };
    }),
  });
}
