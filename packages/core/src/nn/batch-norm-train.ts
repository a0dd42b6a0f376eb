import { tf } from '../tf.js';
import { FR_BATCH_NORM_ACT, FR_BATCH_NORM_ACT_GRAD, backendHasKernel, type BatchNormActAttrs } from '../backend/fused-kernels.js';

export interface BatchNormTrainOptions {
  readonly eps: number;
  /** Per-channel PReLU slopes applied after the normalisation (`[C]`). */
  readonly alpha?: tf.Tensor1D;
  /** Added last, as a residual connection: z = act(bn(x)) + residual (same shape as x). */
  readonly residual?: tf.Tensor;
}

export interface BatchNormTrainOutput {
  readonly y: tf.Tensor;
  /** Batch mean and biased variance over all axes but the last, `[C]` (value-only). */
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/** Per-channel gradient factors of the composed backward (see {@link batchNormTrain}). */
function composedBackward(dz: tf.Tensor, x: tf.Tensor, mean: tf.Tensor, inv: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, alpha: tf.Tensor | null, axes: number[], n: number): tf.Tensor[] {
  const c = tf.sub(x, mean);
  const scale = tf.mul(gamma, inv); // γr
  let g = dz;
  let dAlpha: tf.Tensor | null = null;
  if (alpha) {
    const y = tf.add(tf.mul(c, scale), beta);
    const positive = tf.step(y);
    g = tf.mul(dz, tf.add(alpha, tf.mul(tf.sub(1, alpha), positive)));
    // min(y, 0) = y·(1 − step(y)); wasm's Minimum against a scalar is a slow generic loop.
    dAlpha = tf.sum(tf.mul(tf.mul(dz, y), tf.sub(1, positive)), axes);
  }
  const dBeta = tf.sum(g, axes);
  const dGamma = tf.mul(tf.sum(tf.mul(g, c), axes), inv);
  const perC = tf.mul(tf.neg(tf.mul(scale, inv)), tf.div(dGamma, n)); // −γr²·dγ/N
  const shift = tf.mul(tf.neg(scale), tf.div(dBeta, n)); // −γr·dβ/N
  const dx = tf.add(tf.add(tf.mul(g, scale), tf.mul(c, perC)), shift);
  return dAlpha ? [dx, dGamma, dBeta, dAlpha] : [dx, dGamma, dBeta];
}

/**
 * Training-mode batch normalisation over all axes but the last, optionally followed by a
 * per-channel PReLU and a residual add, with a hand-written backward:
 *   μ, σ² = batch mean and biased variance,  r = 1/√(σ² + ε),  y = (x − μ)·γr + β
 *   z = [residual +] PReLU_α(y)
 *   g = dz·(α + (1 − α)·step(y)) (g = dz without PReLU),  dα = Σ dz·min(y, 0)
 *   dβ = Σ g,  dγ = r·Σ g·(x − μ),  dx = γr·g + b·(x − μ) + k  with per-channel
 *   b = −γr²·dγ/N,  k = −γr·dβ/N.
 * Only x and the `[C]` statistics are kept for the backward: y is recomputed from them (one
 * multiply-add an element), which saves a full-size tensor per layer. tfjs' composed gradient
 * (moments + batchNorm) tiles the statistics to the full input shape for every layer (~45% of a
 * MobileFaceNet step on wasm once). A backend that registers {@link FR_BATCH_NORM_ACT} and
 * {@link FR_BATCH_NORM_ACT_GRAD} (@fr/backend-wasm's SIMD kernels do) runs each direction as one
 * kernel; others run the composition below. The `BatchNorm` module calls it in training.
 * @example
 * ```ts
 * const { y, mean, variance } = batchNormTrain(x, gamma, beta, { eps: 1e-5, alpha: prelu.alpha as tf.Tensor1D });
 * tf.dispose([mean, variance]); // the batch statistics, for running averages
 * ```
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, options: BatchNormTrainOptions): BatchNormTrainOutput {
  const { eps, alpha, residual } = options;
  const c = x.shape[x.shape.length - 1] as number;
  if (gamma.shape[0] !== c || beta.shape[0] !== c || (alpha && alpha.shape[0] !== c)) {
    throw new Error(`batchNormTrain: x has ${c} channels but gamma is [${gamma.shape}], beta [${beta.shape}]${alpha ? `, alpha [${alpha.shape}]` : ''}`);
  }
  if (residual && !tf.util.arraysEqual(residual.shape, x.shape)) throw new Error(`batchNormTrain: residual is [${residual.shape}], x is [${x.shape}]`);
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const n = x.size / c;
  const attrs: BatchNormActAttrs = { eps };
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null;
  const inputs = [x, gamma, beta, ...(alpha ? [alpha] : []), ...(residual ? [residual] : [])];
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [input, g, b] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const a = alpha ? (args[3] as tf.Tensor) : null;
    const res = residual ? (args[alpha ? 4 : 3] as tf.Tensor) : null;
    const fused = backendHasKernel(FR_BATCH_NORM_ACT) && backendHasKernel(FR_BATCH_NORM_ACT_GRAD);
    const kernelInputs: tf.NamedTensorMap = { x: input, gamma: g, beta: b, ...(a ? { alpha: a } : {}), ...(res ? { residual: res } : {}) };
    const [value, mean, variance, inv] = (fused
      ? tf.engine().runKernel(FR_BATCH_NORM_ACT, kernelInputs, attrs as unknown as tf.NamedAttrMap)
      : tf.tidy(() => {
          const mu = tf.mean(input, axes);
          const centred = tf.sub(input, mu);
          const sigma2 = tf.mean(tf.square(centred), axes);
          const r = tf.rsqrt(tf.add(sigma2, eps));
          let z = tf.add(tf.mul(centred, tf.mul(g, r)), b);
          if (a) z = tf.prelu(z, a);
          if (res) z = tf.add(z, res);
          return [z, mu, sigma2, r];
        })) as tf.Tensor[] as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    save([input, mean, inv, g, b, ...(a ? [a] : [])]);
    stats = { mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D };
    return {
      value,
      gradFunc: (dz: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, mu, iv, gm, bt] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const al = a ? (saved[5] as tf.Tensor) : null;
        // Inside a tidy: a custom gradient's temporaries would otherwise live until the whole
        // backward pass ends (the engine tidies only around kernel gradients).
        const grads = tf.tidy(() => {
          if (backendHasKernel(FR_BATCH_NORM_ACT_GRAD)) {
            return tf.engine().runKernel(FR_BATCH_NORM_ACT_GRAD, { dz, x: xs, mean: mu, invStd: iv, gamma: gm, beta: bt, ...(al ? { alpha: al } : {}) }, {}) as tf.Tensor[];
          }
          return composedBackward(dz, xs, mu, iv, gm, bt, al, axes, n);
        });
        // The residual's gradient is dz (a copy: each input owns its gradient tensor).
        return res ? [...grads, tf.clone(dz)] : grads;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = (op as unknown as (...t: tf.Tensor[]) => tf.Tensor)(...inputs);
  const { mean, variance } = stats as unknown as { mean: tf.Tensor1D; variance: tf.Tensor1D };
  return { y, mean, variance };
}
