import { tf } from '../tf.js';
import { FR_SOFTMAX_CROSS_ENTROPY, FR_SOFTMAX_CROSS_ENTROPY_GRAD, backendHasKernel } from '../backend/fused-kernels.js';
import { unaryCustomGrad } from './gradient.js';

/** One kernel each way where the backend has them (one pass over B×C instead of about six). */
function fusedSoftmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const t = targets.dtype === 'int32' ? targets : tf.cast(targets, 'int32');
  const op = unaryCustomGrad((z, save) => {
    const [loss, rowMax, rowLogSum] = tf.engine().runKernel(FR_SOFTMAX_CROSS_ENTROPY, { logits: z, targets: t }, {}) as tf.Tensor[] as [tf.Tensor, tf.Tensor, tf.Tensor];
    save([z, t, rowMax, rowLogSum]);
    return {
      value: loss,
      gradFunc: (dy, saved) => {
        const [logitsSaved, targetsSaved, maxSaved, logSumSaved] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(FR_SOFTMAX_CROSS_ENTROPY_GRAD, { dy, logits: logitsSaved, targets: targetsSaved, rowMax: maxSaved, rowLogSum: logSumSaved }, {}) as tf.Tensor;
      },
    };
  });
  return op(logits) as tf.Tensor1D;
}

export interface CrossEntropyOptions {
  /**
   * Clamp p_y from below in the *value* only, as insightface's `DistCrossEntropy` does
   * (loss = −log max(p_y, 1e-30)) while its gradient stays softmax − onehot. Default: no clamp.
   */
  readonly minProbability?: number;
}

/** Per-sample softmax cross-entropy, `(B,)`, of `logits` `(B, C)` against integer `targets` `(B,)`. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, options: CrossEntropyOptions = {}): tf.Tensor1D {
  const numClasses = logits.shape[1];
  const floor = options.minProbability;
  if (floor === undefined && logits.dtype === 'float32' && backendHasKernel(FR_SOFTMAX_CROSS_ENTROPY) && backendHasKernel(FR_SOFTMAX_CROSS_ENTROPY_GRAD)) {
    return fusedSoftmaxCrossEntropy(logits, targets);
  }
  const exact = (z: tf.Tensor2D): tf.Tensor1D =>
    tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(tf.cast(targets, 'int32'), numClasses)), -1)) as tf.Tensor1D);
  if (floor === undefined) return exact(logits);
  const clamped = unaryCustomGrad((z, save) => {
    const value = tf.tidy(() => tf.minimum(exact(z as tf.Tensor2D), -Math.log(floor)));
    save([z]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [zs] = saved as [tf.Tensor2D];
        // d/dz of −log p_y, unclamped: (softmax − onehot) · dy.
        const g = tf.sub(tf.softmax(zs), tf.oneHot(tf.cast(targets, 'int32'), numClasses));
        return tf.mul(g, tf.expandDims(dy, 1));
      },
    };
  });
  return clamped(logits) as tf.Tensor1D;
}
