import { tf } from '../tf.js';
import { Module } from './module.js';
import { batchNormTrain } from './batch-norm-train.js';
import type { ForwardContext } from './module.js';
import type { PReLU } from './prelu.js';

/** What {@link BatchNorm.forward} may apply after the normalisation, in one fused step. */
export interface BatchNormEpilogue {
  /** A PReLU applied to the normalised output. */
  readonly activation?: PReLU;
  /** Added last (a residual connection), same shape as the input. */
  readonly residual?: tf.Tensor;
}

export interface BatchNormOptions {
  channels: number;
  /** Default 1e-5 (PyTorch); the ViT head uses 2e-5. */
  eps?: number;
  /** PyTorch convention: running = (1 − momentum)·running + momentum·batch. Default 0.1. */
  momentum?: number;
  /** Learn γ (default true). IResNet's `features` BN1d freezes γ at 1 (arcface_torch). */
  gammaTrainable?: boolean;
  /** Learn β (default true). */
  betaTrainable?: boolean;
}

/**
 * Batch normalisation over the last axis (NHWC feature maps or `[B, C]` vectors), PyTorch semantics:
 * training normalises with the biased batch variance and updates the running variance with the
 * unbiased one; evaluation uses the running statistics.
 */
export class BatchNorm extends Module {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  private readonly eps: number;
  private readonly momentum: number;

  constructor(readonly options: BatchNormOptions) {
    super();
    const c = options.channels;
    this.gamma = this.param('gamma', tf.ones([c]), { trainable: options.gammaTrainable ?? true });
    this.beta = this.param('beta', tf.zeros([c]), { trainable: options.betaTrainable ?? true });
    this.runningMean = this.buffer('runningMean', tf.zeros([c]));
    this.runningVar = this.buffer('runningVar', tf.ones([c]));
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
  }

  /**
   * Normalises `x`, then applies the optional `epilogue` (PReLU, then the residual add). In
   * training the three run as one op whose backward keeps only `x` (see `batchNormTrain`), so
   * `bn.forward(x, ctx, { activation: prelu })` is cheaper than `prelu.forward(bn.forward(x, ctx))`
   * and computes the same.
   *
   * @example
   * ```ts
   * const out = this.bn3.forward(this.conv2.forward(h), ctx, { residual: shortcut });
   * ```
   */
  forward<T extends tf.Tensor>(x: T, ctx: Pick<ForwardContext, 'training'>, epilogue: BatchNormEpilogue = {}): T {
    const { activation, residual } = epilogue;
    if (!ctx.training) {
      return tf.tidy(() => {
        let y: tf.Tensor = tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.eps);
        if (activation) y = activation.forward(y);
        return (residual ? tf.add(y, residual) : y) as T;
      });
    }
    const n = x.size / (x.shape[x.shape.length - 1] as number);
    const { y, mean, variance } = batchNormTrain(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, {
      eps: this.eps,
      ...(activation ? { alpha: activation.alpha as tf.Tensor as tf.Tensor1D } : {}),
      ...(residual ? { residual } : {}),
    });
    tf.tidy(() => {
      // Running statistics are state, not part of the loss: `assign` is never recorded on the tape.
      const unbiased = tf.mul(variance, n > 1 ? n / (n - 1) : 1);
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - this.momentum), tf.mul(mean, this.momentum)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - this.momentum), tf.mul(unbiased, this.momentum)));
    });
    tf.dispose([mean, variance]);
    return y as T;
  }
}
