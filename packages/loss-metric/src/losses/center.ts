import { tf, checkNumber, defineLoss, detach, l2Normalize, Rng, type LossPlugin, type PluginState } from '@fr/core';
import { centerUpdate } from './center-update.js';

export interface CenterLossOptions {
  /** Number of identities (centers), as the dataset's labels. */
  readonly numClasses: number;
  /** Size of the backbone's embedding. */
  readonly embeddingSize: number;
  /** Plugin name (default `center`); the term is logged as `<name>/loss`. */
  readonly name?: string;
  /** λ, the weight of the term next to the softmax loss. Default 0.003 (Wen et al.'s face models). */
  readonly lambda?: number;
  /** α, the centers' learning rate in the update rule. Default 0.5 (Wen et al.). */
  readonly alpha?: number;
  /**
   * Initial centers: `normal` N(0, 0.01²), seeded (the article and the paper start from random
   * centers), or `zeros` (as David Sandberg's TensorFlow FaceNet). Default `normal`.
   */
  readonly init?: 'normal' | 'zeros';
  /** Seed of the initial centers (default 2048). */
  readonly seed?: number;
  /** Apply the loss to L2-normalised embeddings (default false: the paper uses the raw features). */
  readonly normalize?: boolean;
  /**
   * Require a softmax next to it, i.e. a centre bank + margin head (default true): on its own the
   * centre loss collapses every embedding and centre to one point. Set false to drop the check.
   */
  readonly requireSoftmax?: boolean;
}

/** A centre-loss plugin: also exposes its current centers (read-only; they change every step). */
export interface CenterLossPlugin extends LossPlugin {
  /** The `(C, d)` class centers. Not trainable: updated by the rule of Wen et al., not by the optimiser. */
  readonly centers: tf.Variable<tf.Rank.R2>;
  /** @deprecated Renamed {@link CenterLossPlugin.centers} (one spelling, `center`); removed in the next minor release. */
  readonly centres: tf.Variable<tf.Rank.R2>;
}

/**
 * The centre loss (Wen et al. 2016; the article's L = L_softmax + λ·L_center), as a loss plugin
 * used next to a centre bank and a margin head (the softmax part):
 *
 *   term = λ · ½ · (1/B) Σᵢ ‖xᵢ − c_{yᵢ}‖²
 *
 * The mean over the batch (not the article's Σᵢ) matches both the trainer's (1/B)·Σ cross-entropy
 * and Wen et al.'s Caffe layer, so λ keeps the paper's meaning. Its gradient w.r.t. xᵢ is
 * (λ/B)·(xᵢ − c_{yᵢ}); none flows into the centers. The centers are plugin state, not weights: in
 * training steps only, after the term is computed from the current centers, they move by the
 * paper's rule c_j ← c_j − α·Δc_j ({@link centerUpdate}), using the embeddings' values. They are
 * saved in checkpoints (`state/<name>/centers`; older checkpoints' `centers` load too) and rolled back with a skipped non-finite step.
 * @example
 * ```ts
 * const trainer = createTrainer({
 *   backbone,
 *   centers: fullFC({ numClasses: 10_575, embeddingSize: 512 }),
 *   margin: normSoftmax,   // e.g. defineMargin({ name: 'softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 30) }) })
 *   losses: [centerLoss({ numClasses: 10_575, embeddingSize: 512, lambda: 0.003, alpha: 0.5 })],
 *   dataset,
 *   config,
 * });
 * ```
 */
export function centerLoss(options: CenterLossOptions): CenterLossPlugin {
  const name = options.name ?? 'center';
  const { numClasses, embeddingSize } = options;
  const lambda = options.lambda ?? 0.003;
  const alpha = options.alpha ?? 0.5;
  const normalize = options.normalize ?? false;
  const owner = `centerLoss "${name}"`;
  checkNumber(owner, 'numClasses', numClasses, 'positiveInteger');
  checkNumber(owner, 'embeddingSize', embeddingSize, 'positiveInteger');
  checkNumber(owner, 'lambda', lambda, 'nonNegative');
  checkNumber(owner, 'alpha', alpha, 'probability');

  const shape: [number, number] = [numClasses, embeddingSize];
  const initial = options.init === 'zeros'
    ? new Float32Array(numClasses * embeddingSize)
    : Rng.fromSeed(options.seed ?? 2048).fork(`center-loss:${name}`).fillNormal(new Float32Array(numClasses * embeddingSize), 0, 0.01);
  // Not trainable: the trainer optimises only the backbone's and plugins' module variables, and
  // tf.variableGrads() without a list skips it too.
  const centers = tf.variable(tf.tensor2d(initial, shape), false) as tf.Variable<tf.Rank.R2>;

  const plugin = defineLoss({
    name,
    requires: options.requireSoftmax === false ? [] : ['logits'],
    terms: ({ embedding, labels }, ctx) => {
      if (embedding.shape[1] !== embeddingSize) {
        throw new Error(`loss plugin "${name}": embeddings are ${embedding.shape[1]}-d but its centers are ${embeddingSize}-d`);
      }
      const x = normalize ? l2Normalize(embedding) : embedding;
      const y = tf.cast(labels, 'int32');
      // c_{y_i} as a constant: the gradient goes to the embeddings only.
      const c = detach(tf.gather(centers, y) as tf.Tensor2D);
      const loss = tf.mul(tf.mean(tf.sum(tf.square(tf.sub(x, c)), 1)), 0.5 * lambda) as tf.Scalar;
      if (ctx.training) {
        // After the term: it uses this step's centers c^t; the next step sees c^{t+1}.
        centers.assign(centerUpdate(centers, detach(x), y, alpha));
      }
      return { terms: { loss } };
    },
    getState: (): PluginState => ({ json: { numClasses, embeddingSize }, tensors: { centers } }),
    setState: (state: PluginState) => {
      const saved = state.tensors?.centers ?? state.tensors?.centres; // `centres`: checkpoints before 0.2
      if (!saved) throw new Error(`loss plugin "${name}": the saved state has no "centers" tensor`);
      if (!tf.util.arraysEqual(saved.shape, shape)) {
        throw new Error(`loss plugin "${name}": saved centers have shape [${saved.shape}], this plugin has [${shape}] (numClasses × embeddingSize)`);
      }
      const value = saved.dtype === 'float32' ? saved : tf.cast(saved, 'float32');
      centers.assign(value as tf.Tensor2D);
      if (value !== saved) value.dispose();
    },
    dispose: () => centers.dispose(),
  });
  return Object.assign(plugin, { centers, centres: centers });
}
