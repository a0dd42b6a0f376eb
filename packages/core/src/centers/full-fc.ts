import { tf } from '../tf.js';
import { Module } from '../nn/module.js';
import { init, type Initializer } from '../nn/init.js';
import { Rng } from '../random/rng.js';
import { cosineToCentres } from '../math/cosine.js';
import type { CenterBankPlugin } from '../contract/plugin.js';

export interface FullFCOptions {
  numClasses: number;
  embeddingSize: number;
  /** Default `fullfc`. */
  name?: string;
  /**
   * Centre initialisation: `normal` N(0, 0.01) as insightface's Partial FC; `xavier` uniform as
   * BoundaryFace. Default `normal`.
   */
  init?: 'normal' | 'xavier';
  /** Seed for the initial centres (default 2048). */
  seed?: number;
}

class CentreWeights extends Module {
  readonly weight: tf.Variable;
  constructor(numClasses: number, embeddingSize: number, initializer: Initializer, rng: Rng) {
    super();
    this.weight = this.param('weight', initializer([numClasses, embeddingSize], rng));
  }
}

/**
 * The full class-centre bank: one learnable centre per class, `W` of shape `(C, d)`, and the
 * cosine of every embedding to every centre (clamped to [−1, 1]).
 * @example
 * ```ts
 * const centers = fullFC({ numClasses: 270, embeddingSize: 512 });
 * ```
 */
export function fullFC(options: FullFCOptions): CenterBankPlugin & { readonly module: Module & { readonly weight: tf.Variable } } {
  const { numClasses, embeddingSize } = options;
  if (!(Number.isInteger(numClasses) && numClasses >= 2)) throw new Error(`fullFC: numClasses must be an integer ≥ 2, got ${numClasses}`);
  if (!(Number.isInteger(embeddingSize) && embeddingSize >= 1)) throw new Error(`fullFC: embeddingSize must be a positive integer, got ${embeddingSize}`);
  const initializer = options.init === 'xavier' ? init.xavierUniform() : init.normal(0.01);
  const module = new CentreWeights(numClasses, embeddingSize, initializer, Rng.fromSeed(options.seed ?? 2048).fork('fullfc'));
  return {
    name: options.name ?? 'fullfc',
    kind: 'centers',
    numClasses,
    embeddingSize,
    module,
    cosine: ({ embedding, labels }) => ({
      cosine: cosineToCentres(embedding, module.weight as tf.Tensor2D),
      targets: labels,
    }),
    dispose: () => module.dispose(),
  };
}
