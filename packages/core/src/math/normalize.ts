import { tf } from '../tf.js';
import { FR_L2_NORMALIZE, FR_L2_NORMALIZE_GRAD, backendHasKernel, type L2NormalizeAttrs } from '../backend/fused-kernels.js';

/** The fused kernels' version: one pass forward, one backward (a 100k-class bank is 51M elements). */
function fusedL2Normalize(x: tf.Tensor, eps: number): tf.Tensor {
  const attrs: L2NormalizeAttrs = { eps };
  const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, norm] = tf.engine().runKernel(FR_L2_NORMALIZE, { x: input }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[] as [tf.Tensor, tf.Tensor];
    save([input, norm]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(FR_L2_NORMALIZE_GRAD, { dy, x: saved[0]!, norm: saved[1]! }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (t: tf.Tensor) => tf.Tensor)(x);
}

/**
 * L2-normalises along the last axis: x / max(‖x‖, eps), as PyTorch's `F.normalize`. The norm is
 * taken as sqrt(max(Σx², eps²)) so a zero row has a zero (not NaN) gradient. Runs as one fused
 * kernel each way where the backend has {@link FR_L2_NORMALIZE} (the wasm SIMD kernels).
 */
export function l2Normalize<T extends tf.Tensor>(x: T, eps = 1e-12): T {
  if (x.dtype === 'float32' && backendHasKernel(FR_L2_NORMALIZE) && backendHasKernel(FR_L2_NORMALIZE_GRAD)) return fusedL2Normalize(x, eps) as T;
  return tf.tidy(() => {
    const sumSq = tf.sum(tf.square(x), -1, true);
    return tf.div(x, tf.sqrt(tf.maximum(sumSq, eps * eps))) as T;
  });
}

/** L2 norm of each row (last axis), `(B,)`, with the same zero-safe gradient as {@link l2Normalize}. */
export function rowNorm(x: tf.Tensor2D, eps = 1e-12): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1), eps * eps)) as tf.Tensor1D);
}
