/**
 * ROC analysis of pair scores (higher score = more similar): the curve over all unique score
 * thresholds, AUC, EER and TAR at fixed FAR.
 */
import { toFiniteScores, toLabels01, type PairLabels } from './matrix.js';

/**
 * A ROC curve. Point i accepts every pair with `score >= thresholds[i]`; point 0 is
 * `(threshold +Infinity, FPR 0, TPR 0)` and the last point accepts everything (FPR 1, TPR 1).
 * Thresholds decrease, FPR and TPR never decrease.
 */
export interface RocCurve {
  /** Decision thresholds (accept when `score >= threshold`), decreasing; the first is +Infinity. */
  readonly thresholds: Float64Array;
  /** True-positive rate (TAR) at each threshold. */
  readonly tpr: Float64Array;
  /** False-positive rate (FAR) at each threshold. */
  readonly fpr: Float64Array;
  /** Number of genuine ("same") pairs. */
  readonly positives: number;
  /** Number of impostor ("different") pairs. */
  readonly negatives: number;
}

/** Options of {@link rocCurve}. */
export interface RocOptions {
  /**
   * `'similarity'` (default): higher = more similar (e.g. cosine similarity). `'distance'`:
   * lower = more similar (e.g. squared L2); scores are negated, so the curve's thresholds are
   * negated distances (accept when `-distance >= threshold`).
   */
  readonly scoreType?: 'similarity' | 'distance';
}

/**
 * The score sweep behind ROC curves and threshold calibration: the unique similarity scores in
 * descending order, and after accepting every pair scoring ≥ each of them, how many genuine (tp)
 * and impostor (fp) pairs are accepted. Entry 0 of `tp`/`fp` is the empty cut (0, 0).
 */
export function cumulativeCounts(scores: ArrayLike<number>, labels: ArrayLike<number>): { thresholds: number[]; tp: number[]; fp: number[] } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const thresholds: number[] = [];
  const tpAt: number[] = [0];
  const fpAt: number[] = [0];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (labels[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next]! !== scores[i]!) {
      thresholds.push(scores[i]!);
      tpAt.push(tp);
      fpAt.push(fp);
    }
  }
  return { thresholds, tp: tpAt, fp: fpAt };
}

/**
 * Computes the ROC curve over every unique score (like scikit-learn's `roc_curve` with
 * `drop_intermediate=False`). Needs at least one genuine and one impostor pair.
 *
 * @example
 * ```ts
 * const roc = rocCurve([0.9, 0.8, 0.3, 0.1], [true, false, true, false]);
 * Array.from(roc.fpr); // [0, 0, 0.5, 0.5, 1]
 * Array.from(roc.tpr); // [0, 0.5, 0.5, 1, 1]
 * ```
 */
export function rocCurve(scores: ArrayLike<number>, issame: PairLabels, options: RocOptions = {}): RocCurve {
  const s = toFiniteScores(scores, 'scores');
  const y = toLabels01(issame);
  if (s.length !== y.length) throw new Error(`scores has ${s.length} entries, issame has ${y.length}`);
  if (s.length === 0) throw new Error('rocCurve: no pairs (N = 0)');
  if (options.scoreType === 'distance') for (let i = 0; i < s.length; i++) s[i] = -s[i]!;
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const negatives = y.length - positives;
  if (positives === 0) throw new Error('rocCurve: all pairs are impostors (no genuine pairs), TPR is undefined');
  if (negatives === 0) throw new Error('rocCurve: all pairs are genuine (no impostor pairs), FPR is undefined');
  const counts = cumulativeCounts(s, y);
  const thr = [Infinity, ...counts.thresholds];
  const tpr = counts.tp.map((t) => t / positives);
  const fpr = counts.fp.map((f) => f / negatives);
  return {
    thresholds: Float64Array.from(thr),
    tpr: Float64Array.from(tpr),
    fpr: Float64Array.from(fpr),
    positives,
    negatives,
  };
}

/**
 * Area under the ROC curve by the trapezoid rule (ties between genuine and impostor scores
 * count one half, as in the Mann–Whitney statistic).
 *
 * @example
 * ```ts
 * auc(rocCurve([0.9, 0.8, 0.3, 0.1], [true, false, true, false])); // 0.75
 * ```
 */
export function auc(curve: RocCurve): number {
  let area = 0;
  for (let i = 1; i < curve.fpr.length; i++) {
    area += ((curve.fpr[i]! - curve.fpr[i - 1]!) * (curve.tpr[i]! + curve.tpr[i - 1]!)) / 2;
  }
  return area;
}

/** Equal error rate and where it is reached. */
export interface EqualErrorRate {
  /** The rate at which FAR = FRR (= 1 − TAR), linearly interpolated between ROC points. */
  readonly eer: number;
  /**
   * Score threshold at the crossing, interpolated like `eer` (accept when `score >= threshold`);
   * for `'distance'` curves this is a negated distance.
   */
  readonly threshold: number;
}

/**
 * Equal error rate: the point where FAR equals FRR = 1 − TAR, linearly interpolated between the
 * two ROC points that bracket the crossing.
 *
 * @example
 * ```ts
 * equalErrorRate(rocCurve([0.9, 0.8, 0.3, 0.1], [true, false, true, false])).eer; // 0.5
 * ```
 */
export function equalErrorRate(curve: RocCurve): EqualErrorRate {
  // g = FAR − FRR rises from −1 (accept nothing) to +1 (accept everything).
  const g = (i: number): number => curve.fpr[i]! - (1 - curve.tpr[i]!);
  let i = 1;
  while (i < curve.fpr.length - 1 && g(i) < 0) i++;
  const gi = g(i);
  if (gi === 0) return { eer: curve.fpr[i]!, threshold: curve.thresholds[i]! };
  const g0 = g(i - 1);
  const t = g0 / (g0 - gi);
  const eer = curve.fpr[i - 1]! + t * (curve.fpr[i]! - curve.fpr[i - 1]!);
  const a = curve.thresholds[i - 1]!;
  const b = curve.thresholds[i]!;
  const threshold = Number.isFinite(a) ? a + t * (b - a) : b;
  return { eer, threshold };
}

/** The default FAR targets of {@link tarAtFar}. */
export const DEFAULT_FAR_TARGETS: readonly number[] = Object.freeze([1e-1, 1e-2, 1e-3, 1e-4]);

/** TAR at one FAR target. */
export type TarAtFar =
  | {
      /** The FAR target. */
      readonly far: number;
      readonly available: true;
      /** Best TAR among operating points with FAR ≤ target. */
      readonly tar: number;
      /** FAR actually reached at that operating point (≤ target). */
      readonly achievedFar: number;
      /** Its score threshold (accept when `score >= threshold`; negated distance for distance curves). */
      readonly threshold: number;
    }
  | {
      readonly far: number;
      readonly available: false;
      /** Why the value is not reported, e.g. too few impostor pairs. */
      readonly reason: string;
    };

/**
 * Number of impostor pairs needed to report TAR at `far`: ⌈1 / far⌉.
 *
 * @example
 * ```ts
 * minImpostorsForFar(1e-3); // 1000
 * ```
 */
export function minImpostorsForFar(far: number): number {
  return Math.ceil(1 / far - 1e-9);
}

/**
 * TAR at fixed FAR targets: for each target, the highest TAR among ROC points with FAR ≤ target
 * (the strictest such point when several reach that TAR).
 * A target is reported only when there are at least ⌈1/FAR⌉ impostor pairs (otherwise one false
 * accept already exceeds it and the value means nothing); it is then `available: false` with the
 * reason.
 *
 * @example
 * ```ts
 * const roc = rocCurve(cosines, issame);
 * for (const r of tarAtFar(roc)) console.log(r.far, r.available ? r.tar : r.reason);
 * ```
 */
export function tarAtFar(curve: RocCurve, fars: readonly number[] = DEFAULT_FAR_TARGETS): TarAtFar[] {
  return fars.map((far): TarAtFar => {
    if (!(far > 0 && far <= 1)) throw new Error(`FAR target must be in (0, 1], got ${String(far)}`);
    const need = minImpostorsForFar(far);
    if (curve.negatives < need) {
      return {
        far,
        available: false,
        reason: `needs at least ${need} impostor pairs, only ${curve.negatives} available`,
      };
    }
    // FPR and TPR are non-decreasing: scan the points with FPR <= far and keep the first one
    // reaching the highest TPR (the strictest threshold, lowest FAR, for that TAR).
    let best = 0;
    for (let i = 1; i < curve.fpr.length && curve.fpr[i]! <= far; i++) if (curve.tpr[i]! > curve.tpr[best]!) best = i;
    return { far, available: true, tar: curve.tpr[best]!, achievedFar: curve.fpr[best]!, threshold: curve.thresholds[best]! };
  });
}
