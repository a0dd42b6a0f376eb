import { tf } from '../tf.js';
import type { ForwardContext } from './module.js';

/**
 * Inverted dropout with a mask drawn from the pass's {@link Rng} (so a seed fixes it on every
 * backend). Identity in evaluation mode or when `rate` is 0.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, ctx: ForwardContext, noiseShape?: number[]): T {
  if (!ctx.training || rate <= 0) return x;
  if (rate >= 1) throw new Error(`dropout rate must be < 1, got ${rate}`);
  const shape = noiseShape ?? x.shape;
  const u = ctx.rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)));
  return tf.tidy(() => {
    const keep = tf.cast(tf.greaterEqual(tf.tensor(u, shape), rate), 'float32');
    return tf.mul(x, tf.mul(keep, 1 / (1 - rate))) as T;
  });
}

/**
 * Stochastic depth (timm `DropPath`): drops each sample's residual branch with probability `rate`
 * and rescales the kept ones by 1/(1 − rate).
 */
export function dropPath<T extends tf.Tensor>(x: T, rate: number, ctx: ForwardContext): T {
  if (!ctx.training || rate <= 0) return x;
  return dropout(x, rate, ctx, [x.shape[0] as number, ...x.shape.slice(1).map(() => 1)]);
}
