import { tf } from '../tf.js';

export interface BatchNormTrainOutput {
  readonly y: tf.Tensor;
  /** Batch mean and biased variance over all axes but the last, `[C]` (value-only). */
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/**
 * Training-mode batch normalisation over all axes but the last, with a hand-written backward:
 *   c = x − μ,  σ² = mean(c²),  r = 1/√(σ² + ε),  y = c·(γr) + β
 *   dβ = Σ dy,  dγ = r·Σ dy·c,  dx = a·dy + b·c + k  with per-channel
 *   a = γr,  b = −γr²·dγ/N,  k = −γr·dβ/N
 * (the usual dx = γr/N · (N·dy − dβ − x̂·dγ) with x̂ = c·r, expanded). tfjs' composed gradient (moments +
 * batchNorm) tiles the statistics to the full input shape for every layer; on wasm that Tile alone
 * took ~45% of a MobileFaceNet training step. Here every per-channel factor is computed on `[C]`
 * vectors and broadcast, and the centred input `c` is kept instead of x̂, so a layer makes four
 * full-size element-wise passes forward (c, c², c·γr, +β) and five backward — element-wise kernels
 * are a large share of a CPU step (wasm's are scalar).
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): BatchNormTrainOutput {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const n = x.size / (x.shape[x.shape.length - 1] as number);
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null;
  const op = tf.customGrad(((input: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const mean = tf.mean(input, axes);
    const centred = tf.sub(input, mean);
    const variance = tf.mean(tf.square(centred), axes);
    const inv = tf.rsqrt(tf.add(variance, eps));
    save([centred, inv, g]);
    stats = { mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D };
    return {
      value: tf.add(tf.mul(centred, tf.mul(g, inv)), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [c, iv, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.mul(tf.sum(tf.mul(dy, c), axes), iv);
        const scale = tf.mul(gm, iv); // γr
        const perC = tf.mul(tf.neg(tf.mul(scale, iv)), tf.div(dGamma, n)); // −γr²·dγ/N
        const shift = tf.mul(tf.neg(scale), tf.div(dBeta, n)); // −γr·dβ/N
        const dx = tf.add(tf.add(tf.mul(dy, scale), tf.mul(c, perC)), shift);
        return [dx, dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = (op as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor)(x, gamma, beta);
  const { mean, variance } = stats as unknown as { mean: tf.Tensor1D; variance: tf.Tensor1D };
  return { y, mean, variance };
}
