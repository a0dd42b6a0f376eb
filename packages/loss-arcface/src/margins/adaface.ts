import { tf, constantOf, defineMargin, replaceTargetLogit, targetCosine, type MarginPlugin, checkNumber, StateTensors, unbiasedStd } from '@fr/core';

/** Options of {@link adaface}, e.g. `{ m: 0.4, h: 0.333 }` (the released scripts). */
export interface AdaFaceOptions {
  /** Scale s (default 64). */
  readonly s?: number;
  /** Margin m (default 0.4, the released training scripts; `config.py`'s argparse default is 0.5). */
  readonly m?: number;
  /** Concentration h of the norm-dependent margin (default 0.333, the scripts; argparse default 0). */
  readonly h?: number;
  /** Momentum of the batch-norm statistics' EMA (default 0.01, the scripts; the class default is 1). */
  readonly tAlpha?: number;
  /** Plugin name (default `adaface`). */
  readonly name?: string;
}

const EPS = 1e-3;

/**
 * AdaFace (`head.py` of mk-minchul/AdaFace): a margin that adapts to image quality through the
 * embedding norm ‖z‖ (read from `embeddingNorm`).
 * - ‖z‖ is clipped to [0.001, 100] and detached;
 * - EMA statistics μ, σ of the batch norms (init 20 and 100, momentum `tAlpha`; σ is the unbiased
 *   batch std) are updated first, then ms = clip(h·(‖z‖ − μ)/(σ + 1e-3), −1, 1) (a constant);
 * - every cosine is clamped to ±(1 − 1e-3); the target becomes cos θ′ − (m + m·ms) with
 *   θ′ = clip(θ − m·ms, 1e-3, π − 1e-3); logits are s·(…).
 *
 * μ and σ are device-side plugin state (checkpointed, restored, rolled back on a skipped step).
 * Difference from the reference: μ, σ are updated in training steps only (the official head
 * updates them on every forward call, evaluation included), and σ of a batch of one is 0, not NaN.
 * @example
 * ```ts
 * const margin = adaface(); // s 64, m 0.4, h 0.333, tAlpha 0.01
 * ```
 */
export function adaface(options: AdaFaceOptions = {}): MarginPlugin {
  const owner = 'adaface';
  const s = checkNumber(owner, 's', options.s ?? 64, 'positive');
  const m = checkNumber(owner, 'm', options.m ?? 0.4, 'nonNegative');
  const h = checkNumber(owner, 'h', options.h ?? 0.333, 'nonNegative');
  const alpha = checkNumber(owner, 'tAlpha', options.tAlpha ?? 0.01, 'nonNegative');
  if (alpha > 1) throw new Error(`${owner}: tAlpha must be in [0, 1], got ${alpha}`);
  const state = new StateTensors(owner, { batchMean: 20, batchStd: 100 });
  const safeNorm = (norm: tf.Tensor): tf.Tensor => tf.clipByValue(norm, 0.001, 100);
  return defineMargin({
    name: options.name ?? 'adaface',
    logits: ({ cosine, targets, embeddingNorm }, ctx) => tf.tidy(() => {
      if (ctx.training) {
        // EMA of the batch statistics, computed as constants (no gradient, as under torch.no_grad).
        const ema = (name: 'batchMean' | 'batchStd', batchValue: (x: tf.Tensor) => tf.Tensor): void =>
          state.set(name, constantOf(embeddingNorm, (v) => tf.add(tf.mul(batchValue(safeNorm(v)), alpha), tf.mul(state.get(name), 1 - alpha))));
        ema('batchMean', (x) => tf.mean(x));
        ema('batchStd', (x) => unbiasedStd(x));
      }
      // The margin scaler: a constant of the (detached) norms and the statistics.
      const ms = constantOf(embeddingNorm, (v) => {
        const scaled = tf.div(tf.sub(safeNorm(v), state.get('batchMean')), tf.add(state.get('batchStd'), EPS));
        return tf.clipByValue(tf.mul(scaled, h), -1, 1);
      }) as tf.Tensor1D;
      const clamped = tf.clipByValue(cosine, -1 + EPS, 1 - EPS) as tf.Tensor2D;
      const theta = tf.acos(targetCosine(clamped, targets));
      const thetaM = tf.clipByValue(tf.sub(theta, tf.mul(ms, m)), EPS, Math.PI - EPS);
      const target = tf.sub(tf.cos(thetaM), tf.add(tf.mul(ms, m), m)) as tf.Tensor1D;
      return {
        logits: replaceTargetLogit(clamped, targets, target, s),
        metrics: { batchMean: tf.clone(state.get('batchMean')) as tf.Scalar, batchStd: tf.clone(state.get('batchStd')) as tf.Scalar },
      };
    }),
    getState: () => state.getState(),
    setState: (saved) => state.setState(saved),
    dispose: () => state.dispose(),
  });
}
