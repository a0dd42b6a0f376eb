import { tf, constantOf } from '@fr/core';

/**
 * The triplets a miner chose, as `T` fixed slots (tfjs needs static shapes, so a miner cannot
 * return a variable number of rows without a host round trip). Slot `t` is the triplet
 * (anchor[t], positive[t], negative[t]) when `valid[t]` is 1 and is ignored when it is 0.
 * All four tensors are constants to the gradient tape.
 *
 * `T` is `B` for {@link batchHardMiner} (one triplet per anchor), `B²` for
 * {@link semiHardMiner} (one per anchor–positive slot) and `B³` for {@link batchAllMiner}.
 */
export interface Triplets {
  /** `(T,)` int32 batch indices. */
  readonly anchor: tf.Tensor1D;
  /** `(T,)` int32; same label as the anchor, a different image. */
  readonly positive: tf.Tensor1D;
  /** `(T,)` int32; a different label from the anchor. */
  readonly negative: tf.Tensor1D;
  /** `(T,)` float32, 1 where the slot holds a triplet, 0 where it is padding. */
  readonly valid: tf.Tensor1D;
}

export interface MinerInput {
  /** `(B, B)` distances between the batch's embeddings (differentiable; miners read values only). */
  readonly distances: tf.Tensor2D;
  /** `(B,)` int32 identity labels. */
  readonly labels: tf.Tensor1D;
  /** The triplet margin α (semi-hard mining uses it). */
  readonly margin: number;
}

/**
 * Chooses triplets from a batch. Miners only read distance *values*: build every mask and index
 * with {@link mineTriplets} (inside `constantOf`), because comparison ops have no gradient in tfjs.
 */
export type TripletMiner = (input: MinerInput) => Triplets;

/** The label masks of a batch: `positive[a, p]` (same label, a ≠ p) and `negative[a, n]` (different label). */
export interface LabelMasks {
  readonly positive: tf.Tensor2D;
  readonly negative: tf.Tensor2D;
}

/**
 * Boolean `(B, B)` masks of anchor–positive and anchor–negative pairs from labels. Only for use
 * inside a `constantOf` function (e.g. in {@link mineTriplets}'s `select`).
 * @example
 * ```ts
 * const { positive, negative } = labelMasks(tf.tensor1d([0, 0, 1], 'int32'));
 * // positive: [[F,T,F],[T,F,F],[F,F,F]]   negative: [[F,F,T],[F,F,T],[T,T,F]]
 * ```
 */
export function labelMasks(labels: tf.Tensor1D): LabelMasks {
  return tf.tidy(() => {
    const b = labels.shape[0];
    const same = tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0));
    const notSelf = tf.logicalNot(tf.cast(tf.eye(b), 'bool'));
    return {
      positive: tf.logicalAnd(same, notSelf) as tf.Tensor2D,
      negative: tf.logicalNot(same) as tf.Tensor2D,
    };
  });
}

/** What a miner's `select` returns: `(T,)` indices (int32) and a `(T,)` validity mask (bool or 0/1). */
export interface TripletIndices {
  readonly anchor: tf.Tensor;
  readonly positive: tf.Tensor;
  readonly negative: tf.Tensor;
  readonly valid: tf.Tensor;
}

/**
 * Runs `select` on the *values* of the distances and labels and returns its triplets as tape
 * constants. This is the way to write a miner: everything inside `select` (comparisons, argmin,
 * masks from labels) runs inside one `constantOf` node, so the tape never sees an op without a
 * gradient, and the returned indices never carry one.
 * @example
 * ```ts
 * // A miner taking, per anchor, its first positive and its first negative.
 * const firstMiner: TripletMiner = ({ distances, labels }) => mineTriplets(distances, labels, (d, y) => {
 *   const { positive, negative } = labelMasks(y);
 *   return {
 *     anchor: tf.range(0, d.shape[0], 1, 'int32'),
 *     positive: tf.argMax(tf.cast(positive, 'int32'), 1),
 *     negative: tf.argMax(tf.cast(negative, 'int32'), 1),
 *     valid: tf.logicalAnd(tf.any(positive, 1), tf.any(negative, 1)),
 *   };
 * });
 * ```
 */
export function mineTriplets(
  distances: tf.Tensor2D,
  labels: tf.Tensor1D,
  select: (distances: tf.Tensor2D, labels: tf.Tensor1D) => TripletIndices,
): Triplets {
  return tf.tidy(() => {
    // One (4, T) int32 block from a single value-only node. Its only tape input is `labels`; the
    // distances are read inside the node's forward pass, which the tape does not record. So the
    // triplets are not on the differentiable path at all: neither the comparison ops (no
    // gradient in tfjs) nor the int32 gather indices (the tape rejects int32 gradients) are, and
    // the node is never backpropagated (its zero gradient, shaped like its output, never runs).
    const packed = constantOf(labels, (y) => {
      const r = select(distances, y as tf.Tensor1D);
      const flat = (t: tf.Tensor): tf.Tensor1D => tf.reshape(tf.cast(t, 'int32'), [-1]);
      return tf.stack([flat(r.anchor), flat(r.positive), flat(r.negative), flat(r.valid)]) as tf.Tensor2D;
    });
    const row = (i: number): tf.Tensor1D => tf.reshape(tf.slice(packed, [i, 0], [1, -1]), [-1]);
    return { anchor: row(0), positive: row(1), negative: row(2), valid: tf.cast(row(3), 'float32') };
  });
}
