import { tf } from '../tf.js';
import { FR_CLIP_GRAD, backendHasKernel } from '../backend/fused-kernels.js';

/**
 * `tf.clipByValue` whose gradient (dy where lo ≤ x ≤ hi, else 0) is one kernel where the backend
 * has {@link FR_CLIP_GRAD}; tfjs' own gradient runs four passes (GreaterEqual, LessEqual,
 * LogicalAnd, Select) — over a (B, C) cosine matrix on every step.
 * @example
 * ```ts
 * const cos = clipByValue(tf.matMul(e, w, false, true), -1, 1);
 * ```
 */
export function clipByValue<T extends tf.Tensor>(x: T, lo: number, hi: number): T {
  if (x.dtype !== 'float32' || !backendHasKernel(FR_CLIP_GRAD)) return tf.clipByValue(x, lo, hi);
  const attrs = { clipValueMin: lo, clipValueMax: hi };
  const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input]);
    return {
      value: tf.clipByValue(input, lo, hi),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(FR_CLIP_GRAD, { dy, x: saved[0]! }, attrs) as tf.Tensor,
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (t: tf.Tensor) => T;
  return op(x);
}
