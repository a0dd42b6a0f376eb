import { tf, type Backbone } from '@fr/core';
import { createBackbone } from '@fr/backbones';

/**
 * Builds `architecture` with zero weights, lets `weightsFor` produce its whole state dict (@fr
 * names → tensors, which this function disposes) and loads it. Anything thrown disposes the
 * backbone too. Returns it in evaluation mode. Every importer ends this way.
 */
export function backboneWithWeights(architecture: string, options: Readonly<Record<string, unknown>>, weightsFor: (backbone: Backbone) => Map<string, tf.Tensor>): Backbone {
  const backbone = createBackbone(architecture, options, { shapeOnly: true });
  try {
    const state = weightsFor(backbone);
    try {
      backbone.module.loadStateDict(state);
    } finally {
      tf.dispose([...state.values()]);
    }
  } catch (error) {
    backbone.module.dispose();
    throw error;
  }
  backbone.module.eval();
  return backbone;
}
