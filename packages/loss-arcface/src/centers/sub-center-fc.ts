import { tf, checkNumber, cosineToCenters, createCenterWeights, type CenterBankOptions, type CenterBankPlugin, type CenterWeights } from '@fr/core';

/** Options of {@link subCenterFC}, e.g. `{ numClasses: 93_431, embeddingSize: 512, k: 3 }`; default name `subcenterfc`. */
export interface SubCenterFCOptions extends CenterBankOptions {
  /** Sub-centres per class (default 3, insightface's `loss_K`). */
  readonly k?: number;
}

/** A sub-center centre bank: its `(C·K, d)` class-major weight and K. */
export type SubCenterFCBank = CenterBankPlugin & {
  readonly module: CenterWeights;
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
  const k = checkNumber(owner, 'k', options.k ?? 3, 'positiveInteger');
  const module = createCenterWeights(owner, options, k);
  const { numClasses, embeddingSize } = options;
  return {
    name: options.name ?? 'subcenterfc',
    kind: 'centers',
    numClasses,
    embeddingSize,
    k,
    module,
    cosine: ({ embedding, labels }) => tf.tidy(() => {
      const all = cosineToCenters(embedding, module.weight as tf.Tensor2D);
      const cosine = k === 1 ? all : (tf.max(tf.reshape(all, [all.shape[0], numClasses, k]), 2) as tf.Tensor2D);
      return { cosine, targets: labels };
    }),
    dispose: () => module.dispose(),
  };
}
