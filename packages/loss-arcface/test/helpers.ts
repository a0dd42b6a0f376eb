import { tf, Rng, type MarginOutput, type MarginPlugin, type PluginContext } from '@fr/core';
import { testContext } from '@fr/core/testing';

/** A plugin context for direct hook calls in tests. */
export function context(training: boolean, hostLabels: ArrayLike<number>, step = 0): PluginContext {
  return testContext({ step, training, hostLabels, rng: Rng.fromSeed(7).fork('test') });
}

/** Calls a head on a host cosine matrix (clamped, as centre banks return) and host norms. */
export function headOn(margin: MarginPlugin, cos: number[][], targets: number[], options: { norms?: number[]; training?: boolean } = {}): MarginOutput {
  const b = cos.length;
  const d = 4;
  const embedding = tf.zeros([b, d]) as tf.Tensor2D;
  return margin.logits({
    cosine: tf.tensor2d(cos),
    targets: tf.tensor1d(targets, 'int32'),
    embedding,
    embeddingNorm: tf.tensor1d(options.norms ?? new Array<number>(b).fill(1)),
  }, context(options.training ?? true, targets));
}

/** Rows of a 2-D tensor as plain arrays. */
export const rows = (t: tf.Tensor): number[][] => t.arraySync() as number[][];
