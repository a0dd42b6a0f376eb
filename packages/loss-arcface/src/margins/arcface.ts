import { tf, defineMargin, replaceTargetLogit, straightThrough, targetCosine, type MarginPlugin, checkNumber, arcTargetCosine } from '@fr/core';

/** How the ArcFace margin is differentiated. */
export type ArcFaceGradient = 'exact' | 'straight-through';

/** Options of {@link arcface}, e.g. `{ s: 64, m: 0.5, gradient: 'straight-through' }`. */
export interface ArcFaceOptions {
  /** Scale s (default 64, insightface's hard-coded value). */
  readonly s?: number;
  /** Additive angular margin m in radians (default 0.5). */
  readonly m?: number;
  /**
   * - `exact` (default): the classic th/mm ArcFace (insightface ≤ 2022-12, the paper's code,
   *   BoundaryFace, TopoFR, FaceX-Zoo) with the true gradient of s·cos(θ + m).
   * - `straight-through`: current arcface_torch (and TransFace): forward s·cos(acos(cos) + m) with
   *   no fallback, backward ∂logit/∂cos = s for every entry, as if the margin were a constant.
   */
  readonly gradient?: ArcFaceGradient;
  /** `exact` only: apply the margin only where cos > 0 (insightface's easy_margin). Default false. */
  readonly easyMargin?: boolean;
  /** Plugin name (default `arcface`). */
  readonly name?: string;
}

/**
 * ArcFace (additive angular margin): target logit s·cos(θ_y + m), other logits s·cos θ_j.
 *
 * The default is `gradient: 'exact'`: it is the derivative of the loss actually reported, so the
 * head passes the conformance kit's finite-difference check and matches the `arcface-exact`
 * golden vectors; it is the form of the paper's code and of the other methods @fr reimplements
 * (BoundaryFace, TopoFR). The th/mm fallback (cos − m·sin m where θ + m > π) keeps the target
 * monotonic in θ; it is discontinuous at θ = π − m (a jump of ≈ −0.117 at m = 0.5), as in the
 * reference. Pick `'straight-through'` to reproduce current arcface_torch or TransFace exactly.
 * @example
 * ```ts
 * const margin = arcface();                                   // s 64, m 0.5, exact th/mm
 * const torchNow = arcface({ gradient: 'straight-through' }); // current insightface
 * const easy = arcface({ s: 32, m: 0.4, easyMargin: true });
 * ```
 */
export function arcface(options: ArcFaceOptions = {}): MarginPlugin {
  const s = checkNumber('arcface', 's', options.s ?? 64, 'positive');
  const m = checkNumber('arcface', 'm', options.m ?? 0.5, 'nonNegative');
  const gradient = options.gradient ?? 'exact';
  if (gradient !== 'exact' && gradient !== 'straight-through') {
    throw new Error(`arcface: gradient must be 'exact' or 'straight-through', got ${JSON.stringify(gradient)}`);
  }
  const easyMargin = options.easyMargin ?? false;
  if (easyMargin && gradient === 'straight-through') {
    throw new Error("arcface: easyMargin is a variant of the exact (th/mm) head; the straight-through code has no fallback branch");
  }
  return defineMargin({
    name: options.name ?? 'arcface',
    logits: ({ cosine, targets }) => tf.tidy(() => {
      const cosY = targetCosine(cosine, targets);
      const target = gradient === 'exact'
        ? arcTargetCosine(cosY, m, easyMargin ? 'easy' : 'th-mm')
        : straightThrough(cosY, (c) => tf.cos(tf.add(tf.acos(tf.clipByValue(c, -1, 1)), m)));
      return { logits: replaceTargetLogit(cosine, targets, target, s) };
    }),
  });
}
