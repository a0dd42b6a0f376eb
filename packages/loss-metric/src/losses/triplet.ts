import { tf, defineLoss, l2Normalize, type LossPlugin, type TermsOutput } from '@fr/core';
import { pairwiseDistances, type TripletDistance } from '../distances.js';
import { batchAllMiner } from '../miners/batch-all.js';
import { batchHardMiner } from '../miners/batch-hard.js';
import { semiHardMiner } from '../miners/semi-hard.js';
import type { TripletMiner } from '../miners/triplets.js';
import { tripletMarginLoss, type TripletReduction } from './triplet-margin.js';

/** The built-in mining strategies. */
export type TripletMining = 'batch-hard' | 'batch-all' | 'semi-hard';

export interface TripletLossOptions {
  /** Plugin name (default `triplet`); the term is logged as `<name>/loss`. */
  readonly name?: string;
  /** A built-in strategy or your own {@link TripletMiner}. Default `batch-hard`. */
  readonly miner?: TripletMining | TripletMiner;
  /** α, default 0.2 (FaceNet). */
  readonly margin?: number;
  /** Default `squared` (FaceNet and the article: ‖f(a) − f(p)‖²). */
  readonly distance?: TripletDistance;
  /** L2-normalise the embeddings first, onto the unit hypersphere (FaceNet). Default true. */
  readonly normalize?: boolean;
  /** Default `mean-nonzero` for `batch-all`, `mean` otherwise. See {@link TripletReduction}. */
  readonly reduction?: TripletReduction;
  /** The term is `weight × loss` (default 1), e.g. when it is added to a softmax loss. */
  readonly weight?: number;
  /**
   * Require the dataset to promise `batch:m-per-class` (default true): with random batches most
   * anchors have no positive. Set false when your batches contain positives by other means.
   */
  readonly requireMPerClass?: boolean;
  /**
   * A batch in which no triplet can be formed (no two images of one identity, or one identity
   * only): `error` (default) throws naming the plugin; `zero` gives a zero term for that step.
   */
  readonly onNoTriplet?: 'error' | 'zero';
}

const MINERS: Record<TripletMining, TripletMiner> = {
  'batch-hard': batchHardMiner,
  'batch-all': batchAllMiner,
  'semi-hard': semiHardMiner,
};

/** Why no triplet can be formed from these labels, or null when one can. */
function noTripletReason(labels: ArrayLike<number>): string | null {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i] as number, (counts.get(labels[i] as number) ?? 0) + 1);
  if (counts.size < 2) return `all ${labels.length} images have the same label, so there is no negative`;
  if (![...counts.values()].some((n) => n >= 2)) return `no two of its ${labels.length} images share a label, so there is no positive pair`;
  return null;
}

/**
 * The triplet loss (FaceNet, Schroff et al. 2015) as a loss plugin: embeddings are L2-normalised,
 * a miner picks (anchor, positive, negative) triplets inside the batch, and the term is the reduced
 * [d(a,p) − d(a,n) + α]₊. Logged metrics: `activeFraction` (valid triplets with a positive loss),
 * `triplets` (valid triplets), `positiveDistance` and `negativeDistance` (means over them).
 *
 * Use it alone (the backbone is the only trained part) or next to a centre bank + margin head.
 * It requires `batch:m-per-class` by default: wrap your data with {@link mPerClassDataset}.
 * @example
 * ```ts
 * const trainer = createTrainer({
 *   backbone,
 *   losses: [tripletLoss({ miner: 'batch-hard', margin: 0.2 })],
 *   dataset: mPerClassDataset(source, { m: 4 }),
 *   config: { batchSize: 64, steps: 10_000, optimizer: { type: 'adamw', lr: 3e-4 } },
 * });
 * ```
 */
export function tripletLoss(options: TripletLossOptions = {}): LossPlugin {
  const name = options.name ?? 'triplet';
  const margin = options.margin ?? 0.2;
  const weight = options.weight ?? 1;
  const mining = options.miner ?? 'batch-hard';
  const miner = typeof mining === 'function' ? mining : MINERS[mining];
  if (!miner) throw new Error(`tripletLoss "${name}": unknown miner ${JSON.stringify(mining)} (use ${Object.keys(MINERS).join(', ')} or a function)`);
  const distance = options.distance ?? 'squared';
  if (distance !== 'squared' && distance !== 'euclidean') throw new Error(`tripletLoss "${name}": distance must be "squared" or "euclidean", got ${JSON.stringify(distance)}`);
  if (!(Number.isFinite(margin) && margin >= 0)) throw new Error(`tripletLoss "${name}": margin must be a finite number ≥ 0, got ${margin}`);
  if (!Number.isFinite(weight)) throw new Error(`tripletLoss "${name}": weight must be finite, got ${weight}`);
  const reduction = options.reduction ?? (mining === 'batch-all' ? 'mean-nonzero' : 'mean');
  const normalize = options.normalize ?? true;
  const onNoTriplet = options.onNoTriplet ?? 'error';

  return defineLoss({
    name,
    requires: options.requireMPerClass === false ? [] : ['batch:m-per-class'],
    terms: ({ embedding, labels }, ctx): TermsOutput => {
      // Checked on the host labels, to fail with a message instead of a silent 0 or NaN.
      const reason = noTripletReason(ctx.hostLabels);
      if (reason) {
        if (onNoTriplet === 'error') {
          throw new Error(`loss plugin "${name}": no triplet can be formed from this batch: ${reason}. ` +
            'Sample batches with m ≥ 2 images per identity (mPerClassDataset), or pass onNoTriplet: "zero".');
        }
        return { terms: { loss: tf.mul(tf.sum(embedding), 0) as tf.Scalar }, metrics: { activeFraction: 0, triplets: 0 } };
      }
      const x = normalize ? l2Normalize(embedding) : embedding;
      const distances = pairwiseDistances(x, distance);
      const triplets = miner({ distances, labels, margin });
      const r = tripletMarginLoss(distances, triplets, { margin, reduction });
      return {
        terms: { loss: weight === 1 ? r.loss : (tf.mul(r.loss, weight) as tf.Scalar) },
        metrics: { activeFraction: r.activeFraction, triplets: r.count, positiveDistance: r.positiveDistance, negativeDistance: r.negativeDistance },
      };
    },
  });
}
