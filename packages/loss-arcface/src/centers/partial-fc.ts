import { tf, cosineToCenters, createCenterWeights, type CenterBankOptions, type CenterBankPlugin, type CenterWeights } from '@fr/core';
import { gatherRows } from './gather-rows.js';
import { sampleClasses } from './sample-classes.js';

/** Options of {@link partialFC}, e.g. `{ numClasses: 2_000_000, embeddingSize: 512, sampleRate: 0.1 }`; default name `partialfc`. */
export interface PartialFCOptions extends CenterBankOptions {
  /**
   * Fraction of the class centres used per training step, in (0, 1]: num_sample =
   * ⌊sampleRate·C⌋ (PFC v2's `int(sample_rate·num_local)`). 1 uses every centre (a full FC).
   * The PFC paper uses 0.1; insightface's WebFace42M configs 0.2–0.3.
   */
  readonly sampleRate: number;
}

/** A Partial FC centre bank: its `(C, d)` weight and the per-step sample size. */
export type PartialFCBank = CenterBankPlugin & {
  readonly module: CenterWeights;
  /** ⌊sampleRate·C⌋: centres per training step (the batch's own classes only, when they are more). */
  readonly numSample: number;
};

/**
 * Partial FC (insightface `partial_fc_v2.py::PartialFC_V2`, single device): each training step
 * uses the centres of every class present in the batch plus uniformly drawn other classes,
 * without replacement, for ⌊sampleRate·C⌋ in all (the positives only if they are more) — a fresh
 * draw every step from the plugin's own random stream (`ctx.rng`, seeded and checkpointed by the
 * trainer, so runs and resumes are reproducible). The index is sorted and targets are remapped to
 * columns of the returned `(B, numSample)` cosines.
 *
 * The sampled rows are gathered ({@link gatherRows}: `tf.gather` forward, a `scatterND`
 * backward that stays O((C + n)·d) on every backend), so only they receive gradient. As in PFC v2
 * (and unlike v1), the whole `(C, d)` weight is one parameter of the optimiser, so SGD momentum
 * and weight decay still update every row each step; this is what the @fr trainer does. Partial
 * FC therefore saves logits/softmax memory and compute, not optimiser memory (see
 * {@link planFcMemory}).
 *
 * Evaluation calls (`ctx.training` false) use every centre and draw nothing.
 * @example
 * ```ts
 * const centers = partialFC({ numClasses: 2_000_000, embeddingSize: 512, sampleRate: 0.1 });
 * const trainer = createTrainer({ backbone, centers, margin: arcface(), dataset, config });
 * ```
 */
export function partialFC(options: PartialFCOptions): PartialFCBank {
  const owner = 'partialFC';
  const module = createCenterWeights(owner, options);
  const { numClasses, embeddingSize } = options;
  const rate = options.sampleRate;
  if (!(Number.isFinite(rate) && rate > 0 && rate <= 1)) throw new Error(`${owner}: sampleRate must be in (0, 1], got ${String(rate)}`);
  const numSample = Math.floor(rate * numClasses);
  return {
    name: options.name ?? 'partialfc',
    kind: 'centers',
    numClasses,
    embeddingSize,
    numSample,
    module,
    cosine: ({ embedding, labels }, ctx) => {
      // The batch's classes are read on the host (ctx.hostLabels): no device read-back.
      const weight = module.weight as tf.Tensor2D;
      if (!ctx.training || numSample >= numClasses) {
        return { cosine: cosineToCenters(embedding, weight), targets: labels };
      }
      const sample = sampleClasses(ctx.hostLabels, numClasses, numSample, ctx.rng);
      return tf.tidy(() => {
        const rows = gatherRows(weight, tf.tensor1d(sample.index, 'int32'));
        return {
          cosine: cosineToCenters(embedding, rows),
          targets: tf.tensor1d(sample.targets, 'int32'),
          metrics: { sampled: sample.index.length, positives: sample.positives },
        };
      });
    },
    dispose: () => module.dispose(),
  };
}
