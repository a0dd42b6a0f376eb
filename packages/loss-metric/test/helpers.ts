import { tf, Rng, type LossPlugin, type LossView, type PluginContext, type TermsOutput } from '@fr/core';

/** Calls a loss plugin's terms() outside a trainer: the view holds the embedding and the labels (device and host). */
export function runTerms(plugin: LossPlugin, embedding: tf.Tensor2D, labels: ArrayLike<number>, training = true): TermsOutput {
  const hostLabels = Int32Array.from(labels);
  const view = { embedding, labels: tf.tensor1d(hostLabels, 'int32') } as Partial<LossView> as LossView;
  const ctx: PluginContext = { step: 0, epoch: 0, training, rng: Rng.fromSeed(1).fork(`plugin:${plugin.name}`), hostLabels };
  return plugin.terms!(view, ctx);
}
