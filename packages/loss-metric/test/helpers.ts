import { tf, type LossPlugin, type LossView, type PluginContext, type TermsOutput } from '@fr/core';
import { testContext } from '@fr/core/testing';

/** Calls a loss plugin's terms() outside a trainer: the view holds the embedding and the labels (device and host). */
export function runTerms(plugin: LossPlugin, embedding: tf.Tensor2D, labels: ArrayLike<number>, training = true): TermsOutput {
  const hostLabels = Int32Array.from(labels);
  const view = { embedding, labels: tf.tensor1d(hostLabels, 'int32') } as Partial<LossView> as LossView;
  const ctx: PluginContext = testContext({ plugin, seed: 1, training, hostLabels });
  return plugin.terms!(view, ctx);
}
