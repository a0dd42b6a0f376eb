import { tf, l2Normalize, Rng, type Backbone } from '@fr/core';
import { decode, type ReferenceModel } from './fixtures-data.js';

export * from './fixtures-data.js';

/** The model's fixed input batch as @fr's NHWC tensor. */
export function inputNHWC(model: ReferenceModel): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(decode(model.input), model.input.shape as [number, number, number, number]), [0, 2, 3, 1]));
}

/** The backbone's eval-mode embedding (raw, un-normalised) of `x`. */
export function embeddingOf(backbone: Backbone, x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => backbone.forward(x, { training: false, rng: Rng.fromSeed(0) }).embedding.dataSync() as Float32Array);
}

/** Its L2-normalised eval embedding. */
export function normalizedEmbeddingOf(backbone: Backbone, x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => l2Normalize(backbone.forward(x, { training: false, rng: Rng.fromSeed(0) }).embedding).dataSync() as Float32Array);
}
