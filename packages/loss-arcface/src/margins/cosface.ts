import { tf, defineMargin, replaceTargetLogit, targetCosine, type MarginPlugin, checkNumber } from '@fr/core';

/** Options of {@link cosface}, e.g. `{ s: 64, m: 0.35 }` for the paper's margin. */
export interface CosFaceOptions {
  /** Scale s (default 64). */
  readonly s?: number;
  /**
   * Additive cosine margin m (default 0.4, arcface_torch's `CosFace` and its Glint360K/WebFace
   * configs). The CosFace paper, insightface's MXNet configs and OpenSphere use 0.35.
   */
  readonly m?: number;
  /** Plugin name (default `cosface`). */
  readonly name?: string;
}

/**
 * CosFace / AM-Softmax (large margin cosine loss): target logit s·(cos θ_y − m), other logits
 * s·cos θ_j. Linear in the cosine, so its gradient is exact and finite everywhere.
 * @example
 * ```ts
 * const margin = cosface();                  // s 64, m 0.4 (arcface_torch)
 * const paper = cosface({ s: 64, m: 0.35 }); // the paper / MXNet value
 * ```
 */
export function cosface(options: CosFaceOptions = {}): MarginPlugin {
  const s = checkNumber('cosface', 's', options.s ?? 64, 'positive');
  const m = checkNumber('cosface', 'm', options.m ?? 0.4, 'finite');
  return defineMargin({
    name: options.name ?? 'cosface',
    logits: ({ cosine, targets }) => tf.tidy(() => ({
      logits: replaceTargetLogit(cosine, targets, tf.sub(targetCosine(cosine, targets), m) as tf.Tensor1D, s),
    })),
  });
}
