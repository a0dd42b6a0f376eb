import { tf, defineMargin, replaceTargetLogit, safeAcos, targetCosine, type MarginPlugin, checkNumber } from '@fr/core';

/** Options of {@link combinedMargin}, e.g. `{ m1: 1, m2: 0.3, m3: 0.2 }` (insightface MXNet `combined`). */
export interface CombinedMarginOptions {
  /** Scale s (default 64). */
  readonly s?: number;
  /** Multiplicative angular margin m1 (default 1). */
  readonly m1?: number;
  /** Additive angular margin m2 (default 0.3, insightface MXNet's `combined` config). */
  readonly m2?: number;
  /** Additive cosine margin m3 (default 0.2). */
  readonly m3?: number;
  /** Plugin name (default `combined-margin`). */
  readonly name?: string;
}

/**
 * The combined margin of insightface's MXNet code: target logit s·(cos(m1·θ_y + m2) − m3) with
 * θ = acos(clamp(cos, −1 + 1e-7, 1 − 1e-7)) and the true gradient; other logits s·cos θ_j.
 * There is no th/mm fallback (as in MXNet). With m1 = 1 and m2 = 0 it is CosFace (no acos).
 *
 * Code vs code: the torch `CombinedMarginLoss` of arcface_torch cannot combine margins — it
 * ignores m2 whenever m3 > 0 and rejects m1 ≠ 1 — so only this MXNet form exists.
 * @example
 * ```ts
 * const margin = combinedMargin();                           // (1, 0.3, 0.2), s 64
 * const sphereArcCos = combinedMargin({ m1: 0.9, m2: 0.4, m3: 0.15 });
 * ```
 */
export function combinedMargin(options: CombinedMarginOptions = {}): MarginPlugin {
  const owner = 'combinedMargin';
  const s = checkNumber(owner, 's', options.s ?? 64, 'positive');
  const m1 = checkNumber(owner, 'm1', options.m1 ?? 1, 'positive');
  const m2 = checkNumber(owner, 'm2', options.m2 ?? 0.3, 'finite');
  const m3 = checkNumber(owner, 'm3', options.m3 ?? 0.2, 'finite');
  return defineMargin({
    name: options.name ?? 'combined-margin',
    logits: ({ cosine, targets }) => tf.tidy(() => {
      const cosY = targetCosine(cosine, targets);
      const body = m1 === 1 && m2 === 0 ? cosY : tf.cos(tf.add(tf.mul(safeAcos(cosY, 1e-7), m1), m2));
      return { logits: replaceTargetLogit(cosine, targets, tf.sub(body, m3) as tf.Tensor1D, s) };
    }),
  });
}
