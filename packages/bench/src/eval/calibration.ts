/**
 * Threshold calibration on a user's own labelled pairs: pick the decision threshold that reaches
 * a target FAR (with the highest TAR) or that maximises accuracy.
 */
import { toFiniteScores, toLabels01, type EmbeddingMatrix, type PairLabels } from './matrix.js';
import { pairCosineSimilarities, pairSquaredDistances, preparePairs } from './pairs.js';
import { cumulativeCounts, minImpostorsForFar } from './roc.js';

/** What to calibrate for: a maximum false-accept rate, or the best accuracy. */
export type CalibrationTarget = { readonly far: number } | 'accuracy';

/** Options of {@link calibrateThreshold}. */
export interface CalibrationOptions {
  /**
   * `'similarity'`: higher = more similar, accept when `score >= threshold` (cosine similarity).
   * `'distance'`: lower = more similar, accept when `distance < threshold` (squared L2, the
   * insightface rule).
   */
  readonly scoreType: 'similarity' | 'distance';
  /** Target: `{ far: 1e-3 }` or `'accuracy'`. */
  readonly target: CalibrationTarget;
}

/** A calibrated threshold and what it achieves on the calibration pairs. */
export interface ThresholdCalibration {
  readonly scoreType: 'similarity' | 'distance';
  /** The decision rule the threshold is meant for. */
  readonly rule: 'score >= threshold' | 'distance < threshold';
  /**
   * The threshold: the midpoint between the last accepted and the first rejected score, so the
   * same pairs are accepted for any value in between.
   */
  readonly threshold: number;
  readonly target: CalibrationTarget;
  /** False-accept rate on the calibration pairs. */
  readonly far: number;
  /** True-accept rate (1 − FRR). */
  readonly tar: number;
  /** False-reject rate. */
  readonly frr: number;
  /** (TP + TN) / N. */
  readonly accuracy: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
  readonly genuineCount: number;
  readonly impostorCount: number;
  /** Set when the calibration set cannot resolve the FAR target (too few impostor pairs). */
  readonly warning?: string;
}

const view = new DataView(new ArrayBuffer(8));

/** The smallest double greater than a finite `x`. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

function between(lo: number, hi: number): number {
  const mid = lo + (hi - lo) / 2;
  return mid > lo && mid <= hi ? mid : hi;
}

/**
 * Calibrates a decision threshold on labelled pair scores.
 *
 * Operating points are all cut positions between sorted unique scores (including "accept none"
 * and "accept all"). With `{ far }` the threshold is the one with the highest TAR whose FAR is at
 * most the target (the strictest such threshold on ties); with `'accuracy'` the one with the
 * highest accuracy (the strictest on ties). Needs at least one genuine and one impostor pair.
 *
 * @example
 * ```ts
 * const c = calibrateThreshold(cosines, issame, { scoreType: 'similarity', target: { far: 1e-3 } });
 * const same = (cos: number) => cos >= c.threshold; // c.tar, c.far: what it achieved
 * ```
 */
export function calibrateThreshold(
  scores: ArrayLike<number>,
  issame: PairLabels,
  options: CalibrationOptions,
): ThresholdCalibration {
  const { scoreType, target } = options;
  if (scoreType !== 'similarity' && scoreType !== 'distance') throw new Error(`unknown scoreType ${String(scoreType)}`);
  if (target !== 'accuracy') {
    if (typeof target !== 'object' || target === null || !(target.far >= 0 && target.far <= 1)) {
      throw new Error(`target must be 'accuracy' or { far } with far in [0, 1], got ${JSON.stringify(target)}`);
    }
  }
  const raw = toFiniteScores(scores, 'scores');
  const y = toLabels01(issame);
  if (raw.length !== y.length) throw new Error(`scores has ${raw.length} entries, issame has ${y.length}`);
  if (raw.length === 0) throw new Error('calibrateThreshold: no pairs (N = 0)');
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i]!;
  const neg = y.length - pos;
  if (pos === 0) throw new Error('calibrateThreshold: all pairs are impostors; need at least one genuine pair');
  if (neg === 0) throw new Error('calibrateThreshold: all pairs are genuine; need at least one impostor pair');

  // Work on similarities s (higher = more similar); cut j accepts the j highest unique values.
  const s = scoreType === 'distance' ? raw.map((v) => -v) : raw;
  const { thresholds: uniq, tp: tpAt, fp: fpAt } = cumulativeCounts(s, y);
  const m = uniq.length;
  let bestJ = 0;
  if (target === 'accuracy') {
    let bestCorrect = -1;
    for (let j = 0; j <= m; j++) {
      const correct = tpAt[j]! + neg - fpAt[j]!;
      if (correct > bestCorrect) {
        bestCorrect = correct;
        bestJ = j;
      }
    }
  } else {
    let bestTp = -1;
    for (let j = 0; j <= m && fpAt[j]! / neg <= target.far; j++) {
      if (tpAt[j]! > bestTp) {
        bestTp = tpAt[j]!;
        bestJ = j;
      }
    }
  }

  let threshold: number;
  if (scoreType === 'similarity') {
    // Accept s >= t: cut j needs t in (uniq[j], uniq[j-1]].
    if (bestJ === 0) threshold = nextUp(uniq[0]!);
    else if (bestJ === m) threshold = uniq[m - 1]!;
    else threshold = between(uniq[bestJ]!, uniq[bestJ - 1]!);
  } else {
    // Accept d < t with d = -s: cut j needs t in (-uniq[j-1], -uniq[j]].
    if (bestJ === 0) threshold = -uniq[0]!;
    else if (bestJ === m) threshold = nextUp(-uniq[m - 1]!);
    else threshold = between(-uniq[bestJ - 1]!, -uniq[bestJ]!);
  }
  const TP = tpAt[bestJ]!;
  const FP = fpAt[bestJ]!;
  const result: ThresholdCalibration = {
    scoreType,
    rule: scoreType === 'similarity' ? 'score >= threshold' : 'distance < threshold',
    threshold,
    target,
    far: FP / neg,
    tar: TP / pos,
    frr: (pos - TP) / pos,
    accuracy: (TP + neg - FP) / y.length,
    truePositives: TP,
    falsePositives: FP,
    trueNegatives: neg - FP,
    falseNegatives: pos - TP,
    genuineCount: pos,
    impostorCount: neg,
  };
  if (target !== 'accuracy' && target.far > 0 && neg < minImpostorsForFar(target.far)) {
    return {
      ...result,
      warning: `only ${neg} impostor pairs: FAR can only be measured in steps of 1/${neg}, coarser than the target ${target.far}; the threshold admits no false accept on these pairs and may not reach FAR ${target.far} on new data`,
    };
  }
  return result;
}

/** Thresholds calibrated on both scores of the same pairs. */
export interface EmbeddingCalibration {
  /** On the cosine similarity of the normalised embeddings (accept when `cos >= threshold`). */
  readonly cosine: ThresholdCalibration;
  /** On the squared L2 distance of the normalised embeddings (accept when `dist < threshold`). */
  readonly squaredL2: ThresholdCalibration;
  readonly pairCount: number;
}

/**
 * Calibrates thresholds on a user's own pairs given as embeddings in the insightface layout
 * (rows 2k, 2k+1 = pair k; optional flipped embeddings summed in before normalising), on both the
 * cosine similarity and the squared L2 distance.
 *
 * @example
 * ```ts
 * const { cosine, squaredL2 } = calibrateEmbeddingThresholds(embeddings, issame, { target: { far: 1e-2 } });
 * console.log(cosine.threshold, cosine.tar, squaredL2.threshold);
 * ```
 */
export function calibrateEmbeddingThresholds(
  embeddings: EmbeddingMatrix,
  issame: PairLabels,
  options: { readonly target: CalibrationTarget; readonly flipped?: EmbeddingMatrix | null },
): EmbeddingCalibration {
  const labels = toLabels01(issame);
  const pairs = preparePairs(embeddings, options.flipped);
  if (labels.length !== pairs.pairCount) {
    throw new Error(`issame has ${labels.length} entries but embeddings hold ${pairs.pairCount} pairs`);
  }
  return {
    cosine: calibrateThreshold(pairCosineSimilarities(pairs), labels, { scoreType: 'similarity', target: options.target }),
    squaredL2: calibrateThreshold(pairSquaredDistances(pairs), labels, { scoreType: 'distance', target: options.target }),
    pairCount: pairs.pairCount,
  };
}
