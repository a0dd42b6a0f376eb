/**
 * Ring loss (Zheng, Pal & Savvides, "Ring loss: Convex Feature Normalization for Face
 * Recognition", CVPR 2018) as an @fr loss plugin: L_R = (λ/2)·mean_i (‖x_i‖₂ − R)², with the
 * radius R a trainable parameter. Next to a softmax-type loss it pulls every embedding onto a ring
 * of learnt radius — a soft, convex feature normalisation.
 *
 * Written as a third-party package would be: it depends on `@fr/core` only (peer), and declares
 * `"frPlugins": { "ringLoss": "loss" }` in its package.json so `fr-train` lists it.
 * @example
 * ```ts
 * import { ringLoss } from 'fr-plugin-ring-loss';
 * const trainer = createTrainer({ backbone, centers, margin, losses: [ringLoss({ weight: 0.01 })], dataset, config });
 * ```
 */
import { Module, checkNumber, defineLoss, rowNorm, tf, type LossPlugin } from '@fr/core';

/** Options of {@link ringLoss}. */
export interface RingLossOptions {
  /** λ, the loss weight (the paper: 0.01 with SphereFace/softmax). */
  readonly weight?: number;
  /** Initial radius R (trained with the network). */
  readonly radius?: number;
  /** Plugin name (default `ring`): terms are logged as `<name>/loss`. */
  readonly name?: string;
}

/** The trainable radius: a module, so the trainer optimises and checkpoints it. */
class Radius extends Module {
  readonly value: tf.Variable;
  constructor(initial: number) {
    super();
    // Weight decay would pull R towards 0, i.e. shrink every embedding: exempt it.
    this.value = this.param('radius', tf.scalar(initial), { decay: false });
  }
}

/** The Ring loss plugin; metric `<name>/radius` is the current R. */
export function ringLoss(options: RingLossOptions = {}): LossPlugin {
  const weight = checkNumber('ringLoss', 'weight', options.weight ?? 0.01, 'positive');
  const initial = checkNumber('ringLoss', 'radius', options.radius ?? 1, 'positive');
  const radius = new Radius(initial);
  return defineLoss({
    name: options.name ?? 'ring',
    module: radius,
    terms: ({ embedding }) => tf.tidy(() => {
      // rowNorm is zero-safe: an all-zero embedding gets a finite gradient.
      const gap = tf.sub(rowNorm(embedding), radius.value);
      return {
        terms: { loss: tf.mul(tf.mean(tf.square(gap)), weight / 2) as tf.Scalar },
        metrics: { radius: tf.clone(radius.value) as tf.Scalar },
      };
    }),
    dispose: () => radius.dispose(),
  });
}
