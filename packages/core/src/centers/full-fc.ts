import type { tf } from '../tf.js';
import { cosineToCenters } from '../math/cosine.js';
import type { CenterBankPlugin } from '../contract/plugin.js';
import { createCenterWeights, type CenterBankOptions, type CenterWeights } from './center-weights.js';

/** Options of {@link fullFC}; the default name is `fullfc`. */
export type FullFCOptions = CenterBankOptions;

/** A full centre bank: its `(C, d)` weight. */
export type FullFCBank = CenterBankPlugin & { readonly module: CenterWeights };

/**
 * The full class-centre bank: one learnable centre per class, `W` of shape `(C, d)`, and the
 * cosine of every embedding to every centre (clamped to [−1, 1]).
 * @example
 * ```ts
 * const centers = fullFC({ numClasses: 270, embeddingSize: 512 });
 * ```
 */
export function fullFC(options: FullFCOptions): FullFCBank {
  const module = createCenterWeights('fullFC', options);
  return {
    name: options.name ?? 'fullfc',
    kind: 'centers',
    numClasses: options.numClasses,
    embeddingSize: options.embeddingSize,
    module,
    cosine: ({ embedding, labels }) => ({
      cosine: cosineToCenters(embedding, module.weight as tf.Tensor2D),
      targets: labels,
    }),
    dispose: () => module.dispose(),
  };
}
