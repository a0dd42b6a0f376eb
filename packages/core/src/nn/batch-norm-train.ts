import { tf } from '../tf.js';

export interface BatchNormTrainOutput {
  readonly y: tf.Tensor;
  /** Batch mean and biased variance over all axes but the last, `[C]` (value-only). */
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/**
 * Training-mode batch normalisation over all axes but the last, with a hand-written backward:
 *   x̂ = (x − μ)/√(σ² + ε),  y = γ·x̂ + β
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/(N·√(σ² + ε)) · (N·dy − dβ − x̂·dγ)
 * tfjs' composed gradient (moments + batchNorm) tiles the statistics to the full input shape for
 * every layer; on wasm that Tile alone took ~45% of a MobileFaceNet training step. This backward
 * uses broadcasting only.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): BatchNormTrainOutput {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const n = x.size / (x.shape[x.shape.length - 1] as number);
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null;
  const op = tf.customGrad(((input: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const { mean, variance } = tf.moments(input, axes);
    const inv = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(input, mean), inv);
    save([xhat, inv, g]);
    stats = { mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D };
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, iv, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, xh), axes);
        const dx = tf.mul(
          tf.mul(gm, tf.div(iv, n)),
          tf.sub(tf.sub(tf.mul(dy, n), dBeta), tf.mul(xh, dGamma)),
        );
        return [dx, dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = (op as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor)(x, gamma, beta);
  const { mean, variance } = stats as unknown as { mean: tf.Tensor1D; variance: tf.Tensor1D };
  return { y, mean, variance };
}
