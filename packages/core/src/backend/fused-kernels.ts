/**
 * Kernels @fr defines beyond tfjs' own set. An op that has one (e.g. `batchNormAct`) runs it when
 * the current backend registers it (`tf.registerKernel`) and its tf-ops composition otherwise, so
 * every backend trains and a backend can add a faster fused version without @fr/core knowing it.
 */
import { tf } from '../tf.js';

/**
 * Training batch norm over all axes but the last, with an optional per-channel PReLU and residual
 * add: z = [residual +] PReLU_α((x − μ)·γ/√(σ² + ε) + β).
 * Inputs `x, gamma, beta[, alpha][, residual]`; attrs {@link BatchNormActAttrs}; outputs
 * `[z, mean, variance, invStd]` (invStd = 1/√(σ² + ε), per channel).
 */
export const FR_BATCH_NORM_ACT = 'FrBatchNormAct';

/**
 * Gradient of {@link FR_BATCH_NORM_ACT}: inputs `dz, x, mean, invStd, gamma, beta[, alpha]`;
 * outputs `[dx, dgamma, dbeta]`, plus `dalpha` when `alpha` is given. The residual's gradient is
 * `dz`.
 */
export const FR_BATCH_NORM_ACT_GRAD = 'FrBatchNormActGrad';

export interface BatchNormActAttrs {
  readonly eps: number;
}

/** Whether the current backend registers `kernelName` (a capability, not a backend name). */
export function backendHasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) != null;
}

/**
 * Row L2 normalisation over the last axis, y = x/√max(Σx², ε²): inputs `x`; attrs
 * {@link L2NormalizeAttrs}; outputs `[y, norm]` (norm: the denominator per row, shape of x without
 * its last axis).
 */
export const FR_L2_NORMALIZE = 'FrL2Normalize';

/** Gradient of {@link FR_L2_NORMALIZE}: inputs `dy, x, norm`; attrs {@link L2NormalizeAttrs}; output `dx`. */
export const FR_L2_NORMALIZE_GRAD = 'FrL2NormalizeGrad';

export interface L2NormalizeAttrs {
  readonly eps: number;
}

/**
 * Per-row softmax cross-entropy: inputs `logits [B, C]`, `targets [B]` (int32); outputs
 * `[loss, rowMax, rowLogSum]` (the max of each row and log Σ e^{z − max}). A target outside
 * [0, C) gives loss 0, as a one-hot row of zeros does.
 */
export const FR_SOFTMAX_CROSS_ENTROPY = 'FrSoftmaxCrossEntropy';
/** Gradient of {@link FR_SOFTMAX_CROSS_ENTROPY}: inputs `dy, logits, targets, rowMax, rowLogSum`; output `dlogits`. */
export const FR_SOFTMAX_CROSS_ENTROPY_GRAD = 'FrSoftmaxCrossEntropyGrad';

/** Each row's target entry: inputs `x [B, C]`, `targets [B]` (int32); output `[B]` (0 outside [0, C)). */
export const FR_TAKE_TARGETS = 'FrTakeTargets';
/** Gradient of {@link FR_TAKE_TARGETS}: inputs `dy [B], targets`; attrs `{ columns }`; output `[B, C]`. */
export const FR_TAKE_TARGETS_GRAD = 'FrTakeTargetsGrad';

/**
 * `scale·x` with each row's target entry replaced by `scale·value`: inputs `x [B, C]`,
 * `targets [B]` (int32), `values [B]`; attrs `{ scale }`; output `[B, C]`.
 */
export const FR_REPLACE_TARGETS = 'FrReplaceTargets';
/** Gradient of {@link FR_REPLACE_TARGETS}: inputs `dy, targets`; attrs `{ scale }`; outputs `[dx, dvalues]`. */
export const FR_REPLACE_TARGETS_GRAD = 'FrReplaceTargetsGrad';

/** Gradient of `ClipByValue`: inputs `dy, x`; attrs `{ clipValueMin, clipValueMax }`; output dy where min ≤ x ≤ max, else 0. */
export const FR_CLIP_GRAD = 'FrClipByValueGrad';
