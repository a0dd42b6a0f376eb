import { tf } from '../tf.js';
import { unaryCustomGrad } from './gradient.js';

/**
 * √v with a NaN-free gradient: 1/(2√v) where v > 0 and 0 at v = 0. The plain `tf.sqrt` backward
 * gives 0·∞ = NaN at 0 even when the incoming gradient is zero (e.g. a token whose channels are
 * all equal, behind a detached weight).
 */
export const safeSqrt = unaryCustomGrad((v, save) => {
  const root = tf.sqrt(v);
  save([root]);
  return {
    value: root,
    gradFunc: (dy, saved) => {
      const [r] = saved as [tf.Tensor];
      return tf.where(tf.greater(r, 0), tf.div(dy, tf.mul(tf.maximum(r, 1e-30), 2)), tf.zerosLike(r));
    },
  };
});

/**
 * Unbiased (÷(n−1)) standard deviation along `axis` (default last), `torch.std` semantics, with
 * the zero-safe square root of {@link safeSqrt}.
 */
export function unbiasedStd(x: tf.Tensor, axis = -1): tf.Tensor {
  return tf.tidy(() => {
    const ax = axis < 0 ? x.rank + axis : axis;
    const n = x.shape[ax] as number;
    const centred = tf.sub(x, tf.mean(x, ax, true));
    return safeSqrt(tf.div(tf.sum(tf.square(centred), ax), n > 1 ? n - 1 : 1));
  });
}
