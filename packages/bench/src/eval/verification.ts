/**
 * The insightface `.bin` verification protocol (LFW, CFP-FP, AgeDB-30, …), exactly as
 * `recognition/arcface_torch/eval/verification.py` computes "Accuracy-Flip" and XNorm.
 */
import { kFoldRanges } from './kfold.js';
import { toFiniteScores, toLabels01, type EmbeddingMatrix, type PairLabels } from './matrix.js';
import { pairSquaredDistances, preparePairs } from './pairs.js';
import { mean, populationStd } from './stats.js';

/** Number of thresholds of the insightface grid. */
const GRID_SIZE = 400;

/**
 * The insightface threshold grid `np.arange(0, 4, 0.01)`: 400 values `i * 0.01`, i = 0…399.
 * Computed as numpy does (`start + i * step`, not by repeated addition), so every value is
 * bit-identical to the reference (e.g. index 139 is `1.3900000000000001`).
 *
 * @example
 * ```ts
 * const t = insightfaceThresholds();
 * t.length; // 400
 * t[399];   // 3.99
 * ```
 */
export function insightfaceThresholds(): Float64Array {
  const t = new Float64Array(GRID_SIZE);
  for (let i = 0; i < GRID_SIZE; i++) t[i] = i * 0.01;
  return t;
}

/** Options of {@link evaluateVerification} and {@link evaluateVerificationDistances}. */
export interface VerificationOptions {
  /**
   * Number of contiguous folds (scikit-learn `KFold(shuffle=False)` semantics). Default 10.
   * `1` reproduces insightface's `LFold(n_splits=1)`: the threshold is chosen and measured on all
   * pairs (an optimistic "best accuracy").
   */
  readonly nFolds?: number;
  /**
   * Candidate thresholds on the squared L2 distance, strictly increasing ("same" when
   * `distance < threshold`). Default {@link insightfaceThresholds}.
   */
  readonly thresholds?: ArrayLike<number>;
}

/** Options of {@link evaluateVerification}. */
export interface EmbeddingVerificationOptions extends VerificationOptions {
  /**
   * Embeddings of the horizontally flipped images, same (2N, d) layout. When given, each row's
   * embedding is `normalize(orig + flip)` (raw sum, then L2), insightface's "Accuracy-Flip".
   */
  readonly flipped?: EmbeddingMatrix | null;
}

/** One fold of the protocol. */
export interface VerificationFold {
  /** Fold number, 0-based. */
  readonly index: number;
  /** First held-out pair. */
  readonly start: number;
  /** One past the last held-out pair. */
  readonly end: number;
  /** Number of held-out pairs. */
  readonly size: number;
  /** Index into `thresholds` of the threshold chosen on the other folds. */
  readonly bestThresholdIndex: number;
  /** The threshold chosen on the other folds (first maximum of training accuracy). */
  readonly bestThreshold: number;
  /** Accuracy of `bestThreshold` on the other folds. */
  readonly trainAccuracy: number;
  /** Accuracy of `bestThreshold` on this fold. */
  readonly accuracy: number;
  /** Held-out confusion counts at `bestThreshold`. */
  readonly truePositives: number;
  readonly trueNegatives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
}

/** Result of the insightface verification protocol. */
export interface VerificationResult {
  /** Always `'insightface-bin'`. */
  readonly protocol: 'insightface-bin';
  /** Number of pairs N. */
  readonly pairCount: number;
  /** Pairs labelled "same". */
  readonly genuineCount: number;
  /** Pairs labelled "different". */
  readonly impostorCount: number;
  /** Embedding dimension, or `null` when evaluated from distances. */
  readonly embeddingDim: number | null;
  /** Whether flipped embeddings were summed in. */
  readonly usedFlip: boolean;
  /** Mean L2 norm of all raw embeddings (orig and flip), or `null` when evaluated from distances. */
  readonly xnorm: number | null;
  /** Squared L2 distance of every pair (N). */
  readonly distances: Float64Array;
  /** The same/different flags as 0/1 (N). */
  readonly issame: Uint8Array;
  /** The threshold grid used. */
  readonly thresholds: Float64Array;
  /** Per-fold details. */
  readonly folds: readonly VerificationFold[];
  /** `folds[i].bestThreshold` for every fold. */
  readonly foldBestThreshold: readonly number[];
  /** `folds[i].accuracy` for every fold. */
  readonly foldAccuracy: readonly number[];
  /** Mean of the fold accuracies (`np.mean`). */
  readonly accuracyMean: number;
  /** Population standard deviation of the fold accuracies (`np.std`). */
  readonly accuracyStd: number;
}

function checkThresholds(thresholds: ArrayLike<number> | undefined): Float64Array {
  if (thresholds === undefined) return insightfaceThresholds();
  if (thresholds.length === 0) throw new Error('thresholds: need at least one threshold');
  const t = Float64Array.from(thresholds);
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i]!)) throw new Error(`thresholds[${i}] is ${String(t[i])}; thresholds must be finite`);
    if (i > 0 && !(t[i]! > t[i - 1]!)) throw new Error(`thresholds must be strictly increasing (index ${i})`);
  }
  return t;
}

/**
 * Number of thresholds `<= d`, i.e. the first threshold index at which `d < threshold`: pairs in
 * the same bucket get the same prediction from every threshold. (Internal: not exported by the package.)
 */
export function bucketOf(d: number, t: Float64Array): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (d < t[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function runProtocol(
  distances: Float64Array,
  labels: Uint8Array,
  thresholds: Float64Array,
  nFolds: number,
  meta: { embeddingDim: number | null; usedFlip: boolean; xnorm: number | null },
): VerificationResult {
  const n = distances.length;
  if (n === 0) throw new Error('no pairs (N = 0)');
  if (!Number.isInteger(nFolds) || nFolds < 1) throw new Error(`nFolds must be a positive integer, got ${String(nFolds)}`);
  if (labels.length !== n) {
    throw new Error(`issame has ${labels.length} entries but there are ${n} pairs`);
  }
  // insightface's LFold: with one fold, the threshold is chosen and measured on all pairs.
  const single = nFolds === 1;
  const folds = single ? [{ index: 0, start: 0, end: n }] : kFoldRanges(n, nFolds);
  const T = thresholds.length;
  // Histogram of buckets: a pair is predicted "same" at threshold index t iff t >= bucket.
  const buckets = new Int32Array(n);
  for (let i = 0; i < n; i++) buckets[i] = bucketOf(distances[i]!, thresholds);
  const sameAll = new Float64Array(T + 1);
  const diffAll = new Float64Array(T + 1);
  let genuine = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) {
      sameAll[buckets[i]!]! += 1;
      genuine++;
    } else {
      diffAll[buckets[i]!]! += 1;
    }
  }
  const out: VerificationFold[] = [];
  for (const fold of folds) {
    const sameTrain = Float64Array.from(sameAll);
    const diffTrain = Float64Array.from(diffAll);
    for (let i = fold.start; i < fold.end && !single; i++) {
      if (labels[i] === 1) sameTrain[buckets[i]!]! -= 1;
      else diffTrain[buckets[i]!]! -= 1;
    }
    let diffTrainTotal = 0;
    for (let b = 0; b <= T; b++) diffTrainTotal += diffTrain[b]!;
    const trainSize = single ? n : n - (fold.end - fold.start);
    // correct(t) = TP(t) + TN(t) with TP(t) = Σ_{b≤t} same, TN(t) = Σ_{b>t} diff. Integer
    // counts, so the first maximum is found exactly (numpy's argmax over equal floats).
    let bestIdx = 0;
    let bestCorrect = -1;
    let tp = 0;
    let fpCount = 0;
    for (let t = 0; t < T; t++) {
      tp += sameTrain[t]!;
      fpCount += diffTrain[t]!;
      const correct = tp + (diffTrainTotal - fpCount);
      if (correct > bestCorrect) {
        bestCorrect = correct;
        bestIdx = t;
      }
    }
    const thr = thresholds[bestIdx]!;
    let tpF = 0;
    let tnF = 0;
    let fpF = 0;
    let fnF = 0;
    for (let i = fold.start; i < fold.end; i++) {
      const same = distances[i]! < thr;
      if (labels[i] === 1) {
        if (same) tpF++;
        else fnF++;
      } else if (same) fpF++;
      else tnF++;
    }
    const size = fold.end - fold.start;
    out.push({
      index: fold.index,
      start: fold.start,
      end: fold.end,
      size,
      bestThresholdIndex: bestIdx,
      bestThreshold: thr,
      trainAccuracy: bestCorrect / trainSize,
      accuracy: (tpF + tnF) / size,
      truePositives: tpF,
      trueNegatives: tnF,
      falsePositives: fpF,
      falseNegatives: fnF,
    });
  }
  const foldAccuracy = out.map((f) => f.accuracy);
  return {
    protocol: 'insightface-bin',
    pairCount: n,
    genuineCount: genuine,
    impostorCount: n - genuine,
    embeddingDim: meta.embeddingDim,
    usedFlip: meta.usedFlip,
    xnorm: meta.xnorm,
    distances,
    issame: labels,
    thresholds,
    folds: out,
    foldBestThreshold: out.map((f) => f.bestThreshold),
    foldAccuracy,
    accuracyMean: mean(foldAccuracy),
    accuracyStd: populationStd(foldAccuracy),
  };
}

/**
 * Runs the insightface verification protocol on pair embeddings.
 *
 * Rows 2k and 2k+1 of `embeddings` (2N, d) are pair k, `issame[k]` says whether they show the
 * same person. With `options.flipped`, each embedding is `normalize(orig + flip)`; otherwise
 * `normalize(orig)`. The score is the squared L2 distance of the normalised embeddings; pairs
 * are split into 10 contiguous folds; for each fold the threshold of the grid 0, 0.01, …, 3.99
 * with the best accuracy on the other 9 folds (the first one on ties) predicts "same" when
 * `distance < threshold` on the held-out fold. All arithmetic is float64.
 *
 * Throws on an odd row count, N = 0, N < nFolds, mismatched shapes or label count, and on a
 * non-finite value (the message names the row and the pair).
 *
 * @example
 * ```ts
 * const r = evaluateVerification(embeddings, issame, { flipped: embeddingsFlip });
 * console.log(`${(100 * r.accuracyMean).toFixed(2)}% ± ${(100 * r.accuracyStd).toFixed(2)}%, XNorm ${r.xnorm}`);
 * ```
 */
export function evaluateVerification(
  embeddings: EmbeddingMatrix,
  issame: PairLabels,
  options: EmbeddingVerificationOptions = {},
): VerificationResult {
  const thresholds = checkThresholds(options.thresholds);
  const labels = toLabels01(issame);
  const pairs = preparePairs(embeddings, options.flipped);
  if (labels.length !== pairs.pairCount) {
    throw new Error(`issame has ${labels.length} entries but embeddings hold ${pairs.pairCount} pairs (${2 * pairs.pairCount} rows)`);
  }
  return runProtocol(pairSquaredDistances(pairs), labels, thresholds, options.nFolds ?? 10, {
    embeddingDim: pairs.dim,
    usedFlip: pairs.usedFlip,
    xnorm: pairs.xnorm,
  });
}

/**
 * Runs the same protocol as {@link evaluateVerification} on precomputed pair distances (squared
 * L2 of normalised embeddings, smaller = more similar). XNorm and the dimension are then `null`.
 *
 * @example
 * ```ts
 * const r = evaluateVerificationDistances(distances, issame);
 * r.foldBestThreshold; // e.g. [1.31, 1.31, 1.21, …]
 * ```
 */
export function evaluateVerificationDistances(
  distances: ArrayLike<number>,
  issame: PairLabels,
  options: VerificationOptions = {},
): VerificationResult {
  const thresholds = checkThresholds(options.thresholds);
  const d = toFiniteScores(distances, 'distances');
  const labels = toLabels01(issame);
  return runProtocol(d, labels, thresholds, options.nFolds ?? 10, { embeddingDim: null, usedFlip: false, xnorm: null });
}
