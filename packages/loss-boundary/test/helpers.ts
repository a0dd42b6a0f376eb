import { tf, Rng, type MarginOutput, type MarginPlugin, type PluginContext } from '@fr/core';
import { testContext } from '@fr/core/testing';

/** A plugin context for direct hook calls in tests. */
export function context(epoch: number, hostLabels: ArrayLike<number>, options: { training?: boolean; step?: number } = {}): PluginContext {
  return testContext({ step: options.step, epoch, training: options.training, hostLabels, rng: Rng.fromSeed(7).fork('test') });
}

/** Calls a head on a host cosine matrix (as a centre bank would return it) at `epoch`. */
export function headOn(margin: MarginPlugin, cos: number[][], targets: number[], epoch: number, options: { training?: boolean; step?: number } = {}): MarginOutput {
  const b = cos.length;
  return margin.logits({
    cosine: tf.tensor2d(cos),
    targets: tf.tensor1d(targets, 'int32'),
    embedding: tf.zeros([b, 4]) as tf.Tensor2D,
    embeddingNorm: tf.ones([b]) as tf.Tensor1D,
  }, context(epoch, targets, options));
}

/** The value of a scalar term or metric (0 when absent). */
export const scalar = (x: tf.Tensor | number | undefined): number => (x === undefined ? 0 : typeof x === 'number' ? x : (x.dataSync()[0] as number));

/** φ = cos(θ + m) with the th/mm fallback, in float64 (the reference formula). */
export function phiOf(cos: number, m: number, easy = false): number {
  const sin = Math.sqrt(Math.max(1 - cos * cos, 1e-12));
  const phi = cos * Math.cos(m) - sin * Math.sin(m);
  if (easy) return cos > 0 ? phi : cos;
  return cos > Math.cos(Math.PI - m) ? phi : cos - m * Math.sin(m);
}
