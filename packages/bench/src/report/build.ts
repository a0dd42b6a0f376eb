/**
 * The verification report as a plain JSON-serialisable object: every metric of the insightface
 * protocol plus ROC analysis and score histograms, with dataset/model metadata.
 */
import type { EmbeddingMatrix, PairLabels } from '../eval/matrix.js';
import { auc, DEFAULT_FAR_TARGETS, equalErrorRate, rocCurve, tarAtFar } from '../eval/roc.js';
import {
  bucketOf,
  evaluateVerification,
  evaluateVerificationDistances,
  type VerificationFold,
  type VerificationResult,
} from '../eval/verification.js';

/** One fold of the report: {@link VerificationFold} keyed by `fold` and its chosen `threshold`. */
export type ReportFold = Omit<VerificationFold, 'index' | 'bestThreshold' | 'bestThresholdIndex'> & {
  readonly fold: number;
  readonly threshold: number;
};

/** Inputs of a verification report: pair embeddings (or distances), labels and metadata. */
export interface VerificationReportInput {
  /** Dataset name, e.g. `"lfw"`. */
  readonly dataset: string;
  /** Model name, e.g. `"r50-arcface @ epoch 20"`. */
  readonly model: string;
  /** N same/different flags. */
  readonly issame: PairLabels;
  /** (2N, d) pair embeddings (rows 2k, 2k+1 = pair k). Give this or `distances` or `result`. */
  readonly embeddings?: EmbeddingMatrix;
  /** (2N, d) embeddings of the flipped images (summed to `embeddings` before normalising). */
  readonly flipped?: EmbeddingMatrix | null;
  /** N squared L2 distances of normalised pair embeddings, instead of `embeddings`. */
  readonly distances?: ArrayLike<number>;
  /** A result of {@link evaluateVerification} computed already, instead of `embeddings`/`distances`. */
  readonly result?: VerificationResult;
  /** Report time (default: now). */
  readonly timestamp?: Date | string;
  /** Number of folds (default 10). */
  readonly nFolds?: number;
  /** FAR targets for TAR@FAR (default 1e-1, 1e-2, 1e-3, 1e-4). */
  readonly farTargets?: readonly number[];
  /** Number of histogram bins over [0, 4] (default 80). */
  readonly histogramBins?: number;
  /** Free-form extra metadata shown in the report (checkpoint, backend, image size, …). */
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

/** A threshold expressed on both scores of normalised embeddings (`cos = 1 − d/2`). */
export interface DualThreshold {
  /** Squared L2 distance. */
  readonly squaredL2: number;
  /** The equivalent cosine similarity `1 − squaredL2 / 2`. */
  readonly cosine: number;
}

/** One TAR@FAR row of the report. */
export type ReportTarAtFar =
  | {
      readonly far: number;
      readonly available: true;
      readonly tar: number;
      readonly achievedFar: number;
      /**
       * Accept when `distance ≤ threshold.squaredL2` (equivalently `cos ≥ threshold.cosine`);
       * `null` when the operating point accepts no pair.
       */
      readonly threshold: DualThreshold | null;
    }
  | { readonly far: number; readonly available: false; readonly reason: string };

/** ROC section of the report (score: cosine similarity, i.e. negated squared L2 distance). */
export type ReportRoc =
  | {
      readonly available: true;
      readonly auc: number;
      readonly eer: number;
      /** Threshold at the EER crossing (interpolated). */
      readonly eerThreshold: DualThreshold;
      readonly tarAtFar: readonly ReportTarAtFar[];
      /** The full curve over all unique distances, from (0, 0) to (1, 1). */
      readonly curve: { readonly fpr: readonly number[]; readonly tpr: readonly number[] };
    }
  | { readonly available: false; readonly reason: string };

/** The JSON verification report. */
export interface VerificationReport {
  readonly schema: 'fr-bench/verification-report@1';
  readonly dataset: string;
  readonly model: string;
  /** ISO 8601. */
  readonly timestamp: string;
  readonly pairCount: number;
  readonly genuineCount: number;
  readonly impostorCount: number;
  readonly embeddingDim: number | null;
  readonly usedFlip: boolean;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
  readonly protocol: {
    readonly name: 'insightface-bin';
    readonly folds: number;
    readonly thresholdCount: number;
    readonly thresholdMin: number;
    readonly thresholdMax: number;
    readonly rule: string;
    readonly embedding: string;
  };
  /** Mean and population std of the fold accuracies. */
  readonly accuracy: { readonly mean: number; readonly std: number };
  /** Mean L2 norm of the raw embeddings (null when built from distances). */
  readonly xnorm: number | null;
  readonly folds: readonly ReportFold[];
  /** The single threshold marked on the plots: the mean of the fold thresholds. */
  readonly threshold: {
    readonly squaredL2: number;
    readonly cosine: number;
    readonly foldMin: number;
    readonly foldMax: number;
    /** Accuracy of `squaredL2` on all pairs (predict same when distance < threshold). */
    readonly accuracyAllPairs: number;
  };
  readonly roc: ReportRoc;
  /**
   * Why the numbers can mislead, in words (empty when nothing does): e.g. every pair distance in
   * one step of the threshold grid, where accuracy says nothing while AUC still ranks the pairs.
   */
  readonly warnings: readonly string[];
  /** Histograms of the squared L2 distance of genuine and impostor pairs (counts). */
  readonly histogram: {
    readonly edges: readonly number[];
    readonly genuine: readonly number[];
    readonly impostor: readonly number[];
  };
}

function dual(squaredL2: number): DualThreshold {
  return { squaredL2, cosine: 1 - squaredL2 / 2 };
}

function resolveResult(input: VerificationReportInput): VerificationResult {
  const given = [input.embeddings, input.distances, input.result].filter((x) => x !== undefined).length;
  if (given !== 1) throw new Error('report input needs exactly one of embeddings, distances or result');
  const nFolds = input.nFolds ?? 10;
  if (input.result !== undefined) return input.result;
  if (input.embeddings !== undefined) {
    return evaluateVerification(input.embeddings, input.issame, { flipped: input.flipped ?? null, nFolds });
  }
  return evaluateVerificationDistances(input.distances!, input.issame, { nFolds });
}

function histogram(r: VerificationResult, bins: number): VerificationReport['histogram'] {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogramBins must be a positive integer, got ${String(bins)}`);
  let lo = 0;
  let hi = 4;
  for (const d of r.distances) {
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const genuine = new Array<number>(bins).fill(0);
  const impostor = new Array<number>(bins).fill(0);
  r.distances.forEach((d, i) => {
    const b = Math.min(bins - 1, Math.floor((d - lo) / width));
    if (r.issame[i] === 1) genuine[b]! += 1;
    else impostor[b]! += 1;
  });
  return { edges, genuine, impostor };
}

function roc(r: VerificationResult, farTargets: readonly number[]): ReportRoc {
  if (r.genuineCount === 0) return { available: false, reason: 'no genuine pairs: TAR is undefined' };
  if (r.impostorCount === 0) return { available: false, reason: 'no impostor pairs: FAR is undefined' };
  const curve = rocCurve(r.distances, r.issame, { scoreType: 'distance' });
  const eer = equalErrorRate(curve);
  return {
    available: true,
    auc: auc(curve),
    eer: eer.eer,
    eerThreshold: dual(-eer.threshold),
    tarAtFar: tarAtFar(curve, farTargets).map((t): ReportTarAtFar =>
      t.available
        ? { far: t.far, available: true, tar: t.tar, achievedFar: t.achievedFar, threshold: Number.isFinite(t.threshold) ? dual(-t.threshold) : null }
        : t,
    ),
    curve: { fpr: Array.from(curve.fpr), tpr: Array.from(curve.tpr) },
  };
}

/**
 * Most distances in one interval of the threshold grid (below its first non-zero step, typically:
 * an untrained or collapsed network gives nearly identical embeddings). Every threshold then
 * predicts the same for all the pairs of that interval, so accuracy is capped by the grid, not by
 * the embeddings, while AUC, which uses the order of the distances, still measures them. Warns when
 * the fullest interval holds at least half of the pairs.
 */
function gridResolutionWarning(r: VerificationResult, rocSection: ReportRoc): string | null {
  const n = r.pairCount;
  if (n === 0) return null;
  // Interval k holds the distances below threshold k and at or above threshold k − 1 (k = count: at or above the last).
  const steps = Array.from(r.distances, (d) => bucketOf(d, r.thresholds));
  const t = Array.from(r.thresholds, (x) => Number(x.toPrecision(6)));
  const count = new Map<number, { genuine: number; impostor: number; lo: number; hi: number }>();
  r.distances.forEach((d, i) => {
    const k = steps[i]!;
    const c = count.get(k) ?? { genuine: 0, impostor: 0, lo: Infinity, hi: -Infinity };
    if (r.issame[i]) c.genuine++;
    else c.impostor++;
    c.lo = Math.min(c.lo, d);
    c.hi = Math.max(c.hi, d);
    count.set(k, c);
  });
  const [k, c] = [...count].reduce((a, b) => (b[1].genuine + b[1].impostor > a[1].genuine + a[1].impostor ? b : a));
  const inStep = c.genuine + c.impostor;
  if (2 * inStep < n) return null;
  const where = k === 0 ? `below the grid's first threshold ${t[0]}` : k === t.length ? `at or above the grid's last threshold ${t[t.length - 1]}` : k === 1 ? `below ${t[1]}, the first step of the threshold grid` : `between thresholds ${t[k - 1]} and ${t[k]}`;
  const auc = rocSection.available ? `AUC (${rocSection.auc.toFixed(4)}) still ranks them` : 'AUC would still rank them';
  const range = `squared L2 ${c.lo.toPrecision(3)} to ${c.hi.toPrecision(3)}`;
  const cause = 'Nearly identical embeddings usually mean an untrained or collapsed network.';
  if (inStep === n) return `all ${n} pair distances (${range}) lie ${where}: every threshold predicts the same for every pair, so accuracy says nothing about the embeddings; ${auc}. ${cause}`;
  // Best case per held-out fold: every pair outside the interval right, and the interval's larger class.
  const folds = r.folds.length > 0 ? r.folds : [{ start: 0, end: n, size: n }];
  const cap = (100 / folds.length) * folds.reduce((sum, f) => {
    let genuine = 0;
    let impostor = 0;
    for (let i = f.start; i < f.end; i++) {
      if (steps[i] !== k) continue;
      if (r.issame[i]) genuine++;
      else impostor++;
    }
    return sum + (f.size - Math.min(genuine, impostor)) / f.size;
  }, 0);
  return `${inStep} of ${n} pair distances (${((100 * inStep) / n).toFixed(1)}%, ${range}) lie ${where}: no threshold of the grid separates them, so the ${folds.length}-fold accuracy cannot exceed ${cap.toFixed(1)}% whatever the embeddings; ${auc}. ${cause}`;
}

/**
 * Computes every metric of a verification report (insightface protocol, XNorm, ROC/AUC/EER,
 * TAR@FAR, histograms) as a JSON-serialisable object.
 *
 * @example
 * ```ts
 * const report = buildVerificationReport({ dataset: 'lfw', model: 'r50', embeddings, flipped, issame });
 * writeFileSync('lfw.json', JSON.stringify(report, null, 2));
 * ```
 */
export function buildVerificationReport(input: VerificationReportInput): VerificationReport {
  if (typeof input.dataset !== 'string' || input.dataset === '') throw new Error('report input: dataset name is required');
  if (typeof input.model !== 'string' || input.model === '') throw new Error('report input: model name is required');
  const r = resolveResult(input);
  const timestamp =
    input.timestamp === undefined
      ? new Date().toISOString()
      : input.timestamp instanceof Date
        ? input.timestamp.toISOString()
        : input.timestamp;
  const thr = r.foldBestThreshold.reduce((a, b) => a + b, 0) / r.foldBestThreshold.length;
  const rocSection = roc(r, input.farTargets ?? DEFAULT_FAR_TARGETS);
  let correct = 0;
  r.distances.forEach((d, i) => {
    if ((d < thr) === (r.issame[i] === 1)) correct++;
  });
  return {
    schema: 'fr-bench/verification-report@1',
    dataset: input.dataset,
    model: input.model,
    timestamp,
    pairCount: r.pairCount,
    genuineCount: r.genuineCount,
    impostorCount: r.impostorCount,
    embeddingDim: r.embeddingDim,
    usedFlip: r.usedFlip,
    metadata: { ...(input.metadata ?? {}) },
    protocol: {
      name: 'insightface-bin',
      folds: r.folds.length,
      thresholdCount: r.thresholds.length,
      thresholdMin: r.thresholds[0]!,
      thresholdMax: r.thresholds[r.thresholds.length - 1]!,
      rule: 'same when squared L2 distance < threshold; per fold, the first best threshold on the other folds',
      embedding: r.usedFlip ? 'normalize(orig + flip)' : r.embeddingDim === null ? 'given distances' : 'normalize(orig)',
    },
    accuracy: { mean: r.accuracyMean, std: r.accuracyStd },
    xnorm: r.xnorm,
    folds: r.folds.map(({ index, bestThreshold, bestThresholdIndex: _, ...fold }) => ({ fold: index, threshold: bestThreshold, ...fold })),
    threshold: {
      ...dual(thr),
      foldMin: Math.min(...r.foldBestThreshold),
      foldMax: Math.max(...r.foldBestThreshold),
      accuracyAllPairs: correct / r.pairCount,
    },
    roc: rocSection,
    warnings: [gridResolutionWarning(r, rocSection)].filter((w): w is string => w !== null),
    histogram: histogram(r, input.histogramBins ?? 80),
  };
}
