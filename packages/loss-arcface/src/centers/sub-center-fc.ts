import { tf, Module, Rng, cosineToCentres, init, type CenterBankPlugin, type Initializer } from '@fr/core';
import { checkNumber } from '../internal/options.js';

/** Options of {@link subCenterFC}, e.g. `{ numClasses: 93_431, embeddingSize: 512, k: 3 }`. */
export interface SubCenterFCOptions {
  readonly numClasses: number;
  readonly embeddingSize: number;
  /** Sub-centres per class (default 3, insightface's `loss_K`). */
  readonly k?: number;
  /** Default `subcenterfc`. */
  readonly name?: string;
  /** Centre initialisation: `normal` N(0, 0.01) (default) or `xavier` uniform. */
  readonly init?: 'normal' | 'xavier';
  /** Seed of the initial centres (default 2048). */
  readonly seed?: number;
}

class SubCenterWeights extends Module {
  readonly weight: tf.Variable;
  constructor(rows: number, embeddingSize: number, initializer: Initializer, rng: Rng) {
    super();
    this.weight = this.param('weight', initializer([rows, embeddingSize], rng));
  }
}

/** A sub-center centre bank: its `(C·K, d)` class-major weight and K. */
export type SubCenterFCBank = CenterBankPlugin & {
  readonly module: Module & { readonly weight: tf.Variable };
  /** Sub-centres per class. */
  readonly k: number;
};

/**
 * Sub-center ArcFace's centre bank (insightface `recognition/subcenter_arcface`, MXNet): K
 * centres per class in a `(C·K, d)` weight, class-major (row = class·K + k). The cosine to a
 * class is the largest of its K sub-centre cosines: `(B, C·K)` → `(B, C, K)` → max over K. Use it
 * with any margin head (the reference uses ArcFace); then clean the data set with
 * {@link findSubCenterOutliers} and retrain on the kept images.
 * @example
 * ```ts
 * const centers = subCenterFC({ numClasses: 93_431, embeddingSize: 512, k: 3 });
 * const trainer = createTrainer({ backbone, centers, margin: arcface(), dataset, config });
 * ```
 */
export function subCenterFC(options: SubCenterFCOptions): SubCenterFCBank {
  const owner = 'subCenterFC';
  const numClasses = checkNumber(owner, 'numClasses', options.numClasses, 'positiveInteger');
  const embeddingSize = checkNumber(owner, 'embeddingSize', options.embeddingSize, 'positiveInteger');
  const k = checkNumber(owner, 'k', options.k ?? 3, 'positiveInteger');
  if (numClasses < 2) throw new Error(`${owner}: numClasses must be an integer ≥ 2, got ${numClasses}`);
  const initializer = options.init === 'xavier' ? init.xavierUniform() : init.normal(0.01);
  const module = new SubCenterWeights(numClasses * k, embeddingSize, initializer, Rng.fromSeed(options.seed ?? 2048).fork('subcenterfc'));
  return {
    name: options.name ?? 'subcenterfc',
    kind: 'centers',
    numClasses,
    embeddingSize,
    k,
    module,
    cosine: ({ embedding, labels }) => tf.tidy(() => {
      const all = cosineToCentres(embedding, module.weight as tf.Tensor2D);
      const cosine = k === 1 ? all : (tf.max(tf.reshape(all, [all.shape[0], numClasses, k]), 2) as tf.Tensor2D);
      return { cosine, targets: labels };
    }),
    dispose: () => module.dispose(),
  };
}
