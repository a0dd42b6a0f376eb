/**
 * TopoFR's ISA loss (PTSA-2, `compute_topological_loss(img, z, use_grad=True)`): the squared
 * distance between the 0-dim persistence signatures of the clean input batch and of the latent
 * batch. Two implementations with the same value:
 * - {@link topoLoss} pairs on the host in float64 with the official Kruskal tie rule (needs a
 *   backend with synchronous reads; exact pairs and gradients even with tied distances);
 * - {@link topoLossOnDevice} pairs with Prim's algorithm in tensor ops (no read-back, so it runs
 *   on WebGPU too; same loss, same gradient except where MST edges tie).
 */
import { tf, constantOf } from '@fr/core';
import { readHost } from '../internal/host-read.js';
import { matchingPairs, pairwiseDistancesHost, persistencePairs, selectPairs, type PersistencePair } from './persistence.js';

/**
 * - `official` — the released code: `TopologicalSignatureDistance(match_edges=None)`; each space
 *   indexed with its own pairing, i.e. Σ_k (sort(MST lengths of DX)_k − sort(MST lengths of DZ)_k)²,
 *   no ½, divided by B.
 * - `symmetric` — the Topological-Autoencoder form (`match_edges='symmetric'`), present in the
 *   official file but **not used** by TopoFR: (Σ(DX[PX] − DZ[PX])² + Σ(DZ[PZ] − DX[PZ])²) / B, as
 *   that file computes it (the TopoAE paper writes a ½ before each sum; the code has none).
 */
export type IsaVariant = 'official' | 'symmetric';

export interface TopoLossOptions {
  /** Default `official`. */
  readonly variant?: IsaVariant;
}

/** Everything {@link topoLoss} computes; host arrays are float64, row-major. */
export interface TopoLossResult {
  /** The ISA loss (not multiplied by α), differentiable in `Z` (through DZ at the used edges only). */
  readonly loss: tf.Scalar;
  /** sqrt(2²·C·H·W) for a rank-4 `X`; `null` when `X` is not rank 4 (DX is then divided by its max). */
  readonly maxDistance: number | null;
  /** `(B, B)` normalised input distances (constant). */
  readonly DX: Float64Array;
  /** `(B, B)` latent distances, unnormalised (latent_norm = 1), as used for the pairing. */
  readonly DZ: Float64Array;
  /** MST edges of DX in Kruskal order (B − 1 pairs, u < v). */
  readonly pairsX: readonly PersistencePair[];
  /** MST edges of DZ in Kruskal order. */
  readonly pairsZ: readonly PersistencePair[];
  /** DX at pairsX (ascending). */
  readonly sigX: Float64Array;
  /** DZ at pairsZ (ascending), differentiable in `Z`. */
  readonly sigZ: tf.Tensor1D;
  /** Pairs common to both pairings (TopoAE's `matched_pairs_0D`). */
  readonly matchedPairs: number;
}

/** Below this squared length an edge counts as zero: value exactly 0 and gradient 0 (PyTorch masks 0/0). */
const ZERO_SQ = 1e-24;

/** sqrt(2²·C·H·W), the largest distance between two images with values in [−1, 1], or null for rank ≠ 4. */
export function maxImageDistance(shape: readonly number[]): number | null {
  if (shape.length !== 4) return null;
  const [, a, b, c] = shape as [number, number, number, number];
  return Math.sqrt(4 * a * b * c);
}

/**
 * ‖Z_u − Z_v‖ for each edge, `(E,)`, differentiable in `z`, from difference vectors. A zero-length
 * edge has value exactly 0 and gradient 0 (sqrt(max(d², ε)) times a value-only mask).
 */
export function edgeLengths(z: tf.Tensor2D, u: tf.Tensor1D, v: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const diff = tf.sub(tf.gather(z, u), tf.gather(z, v));
    const sq = tf.sum(tf.square(diff), -1);
    const zero = constantOf(sq, (value) => tf.cast(tf.lessEqual(value, ZERO_SQ), 'float32'));
    return tf.mul(tf.sqrt(tf.maximum(sq, ZERO_SQ)), tf.sub(1, zero)) as tf.Tensor1D;
  });
}

const indexTensors = (pairs: readonly PersistencePair[]): [tf.Tensor1D, tf.Tensor1D] => [
  tf.tensor1d(pairs.map((p) => p[0]), 'int32'),
  tf.tensor1d(pairs.map((p) => p[1]), 'int32'),
];

/** A zero scalar that still depends on `z` (so `tf.grads` sees a path) for batches below 2. */
const zeroLoss = (z: tf.Tensor): tf.Scalar => tf.mul(tf.sum(z), 0) as tf.Scalar;

function checkShapes(who: string, x: tf.Tensor, z: tf.Tensor2D): void {
  if (z.rank !== 2) throw new Error(`${who}: Z must be (B, d), got shape [${z.shape}]`);
  if (x.rank < 2 || x.shape[0] !== z.shape[0]) throw new Error(`${who}: X must be (B, …) with B = ${z.shape[0]}, got shape [${x.shape}]`);
}

/**
 * The ISA loss of the clean batch `X` and the latents `Z`, with every intermediate (the golden
 * vectors' `topoLoss`). Pairs on the host in float64 exactly as the official code (stable sort of
 * the upper triangle in row-major order, union-find), so tied distances give the official pairs
 * and gradient. Reads `X` and `Z` with `dataSync()`: use a backend with synchronous reads.
 *
 * - DX = ‖flatten(X_i) − flatten(X_j)‖ / sqrt(2²·C·H·W) (rank-4 `X`, any layout: NCHW or NHWC give
 *   the same), else divided by max(DX); constant.
 * - DZ = ‖Z_i − Z_j‖, unnormalised; only its MST edges enter the loss, with a gradient.
 * @param X clean inputs `(B, …)`, e.g. NHWC in [−1, 1]
 * @param Z latents `(B, d)`
 * @example
 * ```ts
 * const { loss, pairsZ } = topoLoss(cleanInput, embedding);
 * ```
 */
export function topoLoss(X: tf.Tensor, Z: tf.Tensor2D, options: TopoLossOptions = {}): TopoLossResult {
  checkShapes('topoLoss', X, Z);
  const variant = options.variant ?? 'official';
  const b = Z.shape[0];
  const perSample = X.size / b;
  const maxDistance = maxImageDistance(X.shape);
  const DX = pairwiseDistancesHost(readHost(X, 'topoLoss (ISA)'), b, perSample);
  const norm = maxDistance ?? DX.reduce((m, v) => (v > m ? v : m), 0);
  if (norm > 0) for (let i = 0; i < DX.length; i++) DX[i] = (DX[i] as number) / norm;
  const DZ = pairwiseDistancesHost(readHost(Z, 'topoLoss (ISA)'), b, Z.shape[1]);
  const pairsX = persistencePairs(DX, b);
  const pairsZ = persistencePairs(DZ, b);
  const sigX = selectPairs(DX, b, pairsX);
  const matchedPairs = matchingPairs(pairsX, pairsZ);
  if (b < 2) {
    return { loss: zeroLoss(Z), maxDistance, DX, DZ, pairsX, pairsZ, sigX, sigZ: tf.zeros([0]) as tf.Tensor1D, matchedPairs };
  }
  const { loss, sigZ } = tf.tidy(() => {
    const [uz, vz] = indexTensors(pairsZ);
    const sigZt = edgeLengths(Z, uz, vz);
    const sigXt = tf.tensor1d(Float32Array.from(sigX));
    if (variant === 'official') {
      return { sigZ: sigZt, loss: tf.div(tf.sum(tf.square(tf.sub(sigXt, sigZt))), b) as tf.Scalar };
    }
    const [ux, vx] = indexTensors(pairsX);
    const zAtX = edgeLengths(Z, ux, vx);
    const xAtZ = tf.tensor1d(Float32Array.from(selectPairs(DX, b, pairsZ)));
    const total = tf.add(tf.sum(tf.square(tf.sub(sigXt, zAtX))), tf.sum(tf.square(tf.sub(sigZt, xAtZ))));
    return { sigZ: sigZt, loss: tf.div(total, b) as tf.Scalar };
  });
  return { loss, maxDistance, DX, DZ, pairsX, pairsZ, sigX, sigZ, matchedPairs };
}

// ───────────────────────────── on the device ─────────────────────────────

/**
 * Pairwise distances of the rows of `x` `(n, p)` from difference vectors, in row blocks small
 * enough (≤ 2²⁴ elements) for 112×112 images. Value only (no gradient use).
 */
function pairwiseDistancesDevice(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, p] = x.shape;
    const block = Math.max(1, Math.floor(2 ** 24 / Math.max(1, n * p)));
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < n; i += block) {
      const rows = tf.slice(x, [i, 0], [Math.min(block, n - i), p]);
      parts.push(tf.sqrt(tf.sum(tf.square(tf.sub(tf.expandDims(rows, 1), tf.expandDims(x, 0))), -1)));
    }
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor2D;
  });
}

/** u·n + v in int32 (a plain number operand would promote the indices to float32). */
const flatIndex = (u: tf.Tensor, v: tf.Tensor, n: number): tf.Tensor => tf.add(tf.mul(u, tf.scalar(n, 'int32')), v);

/**
 * Prim's algorithm from vertex 0 on a distance matrix `d` `(n, n)`, in tensor ops (no read-back):
 * `(3, n − 1)` int32 rows u, v (the edges in the order added) and the permutation sorting their
 * lengths ascending. Value only.
 */
function primOnDevice(d: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const n = d.shape[0];
    const start = new Float32Array(n);
    start[0] = 1;
    let inTree = tf.tensor1d(start);
    let key = tf.reshape(tf.slice(d, [0, 0], [1, n]), [n]);
    let parent = tf.zeros([n], 'int32');
    const us: tf.Tensor[] = [];
    const vs: tf.Tensor[] = [];
    const inf = tf.fill([n], Infinity);
    for (let k = 1; k < n; k++) {
      const outside = tf.equal(inTree, 0);
      const v = tf.reshape(tf.argMin(tf.where(outside, key, inf)), [1]);
      us.push(tf.gather(parent, v));
      vs.push(v);
      const row = tf.reshape(tf.gather(d, v), [n]);
      inTree = tf.add(inTree, tf.reshape(tf.oneHot(v, n, 1, 0, 'float32'), [n]));
      const better = tf.logicalAnd(tf.less(row, key), tf.equal(inTree, 0));
      key = tf.where(better, row, key);
      parent = tf.where(better, tf.tile(v, [n]), parent);
    }
    const u = tf.concat(us);
    const vv = tf.concat(vs);
    const lengths = tf.gather(tf.reshape(d, [-1]), flatIndex(u, vv, n));
    const order = tf.topk(tf.neg(lengths), n - 1).indices;
    return tf.stack([u, vv, order]) as tf.Tensor2D;
  });
}

/**
 * A value-only computation whose result the tape treats as a constant. The custom-gradient node's
 * only tape input is a fresh tensor, so nothing in it is on a path from a differentiated tensor:
 * not the comparisons (no gradients in tfjs) and not the int32 gather indices (the tape rejects
 * int32 gradients). The work reads `x` through the closure, inside the node's forward pass, which
 * the tape does not record.
 */
function valueOnly<T extends tf.Tensor>(fn: () => T): T {
  return constantOf(tf.zeros([1]), () => tf.tidy(fn)) as T;
}

/** The device MST of the rows of `x`: edge index tensors u, v and the ascending-length order, and the distances. Constants. */
function deviceEdges(x: tf.Tensor2D): { u: tf.Tensor1D; v: tf.Tensor1D; order: tf.Tensor1D; distances: tf.Tensor2D } {
  const distances = valueOnly(() => pairwiseDistancesDevice(x));
  const packed = valueOnly(() => primOnDevice(distances));
  const [u, v, order] = tf.unstack(packed) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  return { u, v, order, distances };
}

/** What {@link topoLossOnDevice} returns (all tensors; nothing is read back). */
export interface TopoLossDeviceResult {
  readonly loss: tf.Scalar;
  /** MST lengths of DX, ascending (constant). */
  readonly sigX: tf.Tensor1D;
  /** MST lengths of DZ, ascending, differentiable in `Z`. */
  readonly sigZ: tf.Tensor1D;
}

/**
 * The ISA loss computed entirely with tensor ops: no `dataSync()`, so it runs on backends that
 * cannot read synchronously (WebGPU in Node). The MSTs come from Prim's algorithm (B − 1 rounds
 * of small ops) on value-only copies of DX and DZ.
 *
 * Same value as {@link topoLoss} (all MSTs of a graph share one multiset of edge lengths, and the
 * official loss compares sorted lengths), and the same gradient wherever no two candidate MST
 * edges tie. With exact ties (duplicate rows) the gradient may go to another duplicate than the
 * official Kruskal order picks. DX is computed in float32 here (float64 in {@link topoLoss}).
 */
export function topoLossOnDevice(X: tf.Tensor, Z: tf.Tensor2D, options: TopoLossOptions = {}): TopoLossDeviceResult {
  checkShapes('topoLossOnDevice', X, Z);
  const variant = options.variant ?? 'official';
  const b = Z.shape[0];
  if (b < 2) return { loss: zeroLoss(Z), sigX: tf.zeros([0]) as tf.Tensor1D, sigZ: tf.zeros([0]) as tf.Tensor1D };
  return tf.tidy(() => {
    const maxDistance = maxImageDistance(X.shape);
    const flat = tf.reshape(X, [b, -1]) as tf.Tensor2D;
    const ex = deviceEdges(flat);
    const dx = maxDistance !== null
      ? tf.div(ex.distances, maxDistance)
      : valueOnly(() => {
        const m = tf.max(ex.distances);
        return tf.div(ex.distances, tf.where(tf.greater(m, 0), m, tf.onesLike(m)));
      });
    const dxFlat = tf.reshape(dx, [-1]);
    const at = (u: tf.Tensor1D, v: tf.Tensor1D): tf.Tensor1D => tf.gather(dxFlat, flatIndex(u, v, b)) as tf.Tensor1D;
    const ez = deviceEdges(Z);
    const lenZ = edgeLengths(Z, ez.u, ez.v);
    const lenX = at(ex.u, ex.v);
    const sigX = tf.gather(lenX, ex.order) as tf.Tensor1D;
    const sigZ = tf.gather(lenZ, ez.order) as tf.Tensor1D;
    if (variant === 'official') {
      return { sigX, sigZ, loss: tf.div(tf.sum(tf.square(tf.sub(sigX, sigZ))), b) as tf.Scalar };
    }
    const zAtX = edgeLengths(Z, ex.u, ex.v);
    const xAtZ = at(ez.u, ez.v);
    const total = tf.add(tf.sum(tf.square(tf.sub(lenX, zAtX))), tf.sum(tf.square(tf.sub(lenZ, xAtZ))));
    return { sigX, sigZ, loss: tf.div(total, b) as tf.Scalar };
  });
}
