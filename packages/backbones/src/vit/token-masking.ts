import { tf, type RandomSource } from '@fr/core';

/** Which tokens each sample keeps during masked training (host-side, from the pass's rng). */
export interface TokenMaskPlan {
  readonly batch: number;
  readonly tokens: number;
  /** Tokens kept per sample: ⌊L·(1 − ratio)⌋ (Python's `int`). */
  readonly keep: number;
  /**
   * `batch × keep` token indices, row-major: sample b keeps `indices[b·keep + j]` as its j-th
   * token, in the shuffled order (ascending noise), as `ids_shuffle[:, :len_keep]`.
   */
  readonly indices: Int32Array;
}

/**
 * arcface_torch `random_masking`: per sample, draw L uniforms, argsort ascending, keep the first
 * ⌊L·(1 − ratio)⌋.
 */
export function planTokenMasking(batch: number, tokens: number, ratio: number, rng: RandomSource): TokenMaskPlan {
  if (!(ratio >= 0 && ratio < 1)) throw new Error(`maskRatio must be in [0, 1), got ${ratio}`);
  const keep = Math.trunc(tokens * (1 - ratio));
  if (keep < 1) throw new Error(`maskRatio ${ratio} keeps no token of ${tokens}`);
  const indices = new Int32Array(batch * keep);
  const noise = new Float64Array(tokens);
  const order = Array.from({ length: tokens }, (_, i) => i);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < tokens; i++) noise[i] = rng.next();
    order.sort((x, y) => (noise[x] as number) - (noise[y] as number) || x - y);
    for (let j = 0; j < keep; j++) indices[b * keep + j] = order[j] as number;
  }
  return { batch, tokens, keep, indices };
}

/**
 * The plan as a one-hot selection `(B, keep, L)`: row j of sample b picks token `indices[b, j]`.
 * Gathering and scattering are then matMuls, which have gradients on every backend (gatherND
 * has none in tfjs, and gather's needs UnsortedSegmentSum, missing on wasm).
 */
export function selectionMatrix(plan: TokenMaskPlan): tf.Tensor3D {
  const { batch, tokens, keep, indices } = plan;
  const data = new Float32Array(batch * keep * tokens);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < keep; j++) data[(b * keep + j) * tokens + (indices[b * keep + j] as number)] = 1;
  }
  return tf.tensor3d(data, [batch, keep, tokens]);
}

/** `(B, L, 1)`: 1 where a token was dropped. */
export function droppedMask(plan: TokenMaskPlan): tf.Tensor3D {
  const { batch, tokens, keep, indices } = plan;
  const data = new Float32Array(batch * tokens).fill(1);
  for (let b = 0; b < batch; b++) for (let j = 0; j < keep; j++) data[b * tokens + (indices[b * keep + j] as number)] = 0;
  return tf.tensor3d(data, [batch, tokens, 1]);
}

/** `(B, L, D)` → the kept `(B, keep, D)` tokens, in plan order. */
export function keepTokens(x: tf.Tensor3D, selection: tf.Tensor3D): tf.Tensor3D {
  return tf.matMul(selection, x);
}

/**
 * Inverse of {@link keepTokens}: kept tokens back to their positions, `maskToken` `(1, 1, D)`
 * everywhere else (the cat + gather(ids_restore) unshuffle of arcface_torch).
 */
export function restoreTokens(kept: tf.Tensor3D, selection: tf.Tensor3D, dropped: tf.Tensor3D, maskToken: tf.Tensor): tf.Tensor3D {
  return tf.add(tf.matMul(selection, kept, true, false), tf.mul(dropped, maskToken));
}
