/**
 * `FrBatchNormAct` / `FrBatchNormActGrad` on wasm: training batch norm (+ PReLU + residual add) as
 * two passes forward (statistics; normalise-activate-add) and two backward (per-channel sums; dx)
 * of @fr's SIMD kernels (`packages/backend-wasm/simd/src/batch-norm.c`), instead of the ~9 scalar
 * element-wise tfjs kernels and 4 reductions of the composition. Each pass is split by rows over
 * the kernel threads (pool.ts); per-channel statistics and sums of the slices are combined here in
 * float64.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@fr/core';
import type { BatchNormActAttrs } from '@fr/core';
import { align8, heapViews, pointerOf, simdPoolFor, withHeapScratch } from './module.js';
import { splitRange } from './pool.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** Below this many elements a slice is not worth a thread's wake-up. */
const MIN_ELEMENTS_PER_SLICE = 32_768;

function checkFloat(kernel: string, inputs: tf.NamedTensorInfoMap, c: number, perChannel: readonly string[]): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t == null) continue;
    if (t.dtype !== 'float32') throw new Error(`@fr wasm ${kernel}: input '${name}' must be float32, got ${t.dtype}`);
    if (perChannel.includes(name) && (t.shape.length !== 1 || t.shape[0] !== c)) {
      throw new Error(`@fr wasm ${kernel}: input '${name}' must have shape [${c}] (the channels of x), got [${t.shape}]`);
    }
  }
}

/** Row ranges of a [rows, c] tensor for the kernel threads. */
function slices(backend: BackendWasm, rows: number, c: number): [number, number][] {
  return splitRange(rows, simdPoolFor(backend).threads, Math.ceil(MIN_ELEMENTS_PER_SLICE / Math.max(1, c)));
}

/** Kernel function of `FrBatchNormAct` on wasm; outputs `[z, mean, variance, invStd]`. */
export function batchNormActForward(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { x, gamma, beta, alpha, residual } = args.inputs as Record<string, tf.TensorInfo | undefined> as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo; alpha?: tf.TensorInfo; residual?: tf.TensorInfo };
  const { eps } = args.attrs as unknown as BatchNormActAttrs;
  const c = x.shape[x.shape.length - 1] as number;
  checkFloat('FrBatchNormAct', args.inputs, c, ['gamma', 'beta', 'alpha']);
  if (residual && !tf.util.arraysEqual(residual.shape, x.shape)) throw new Error(`@fr wasm FrBatchNormAct: residual is [${residual.shape}], x is [${x.shape}]`);
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const pool = simdPoolFor(backend);
  const parts = slices(backend, rows, c);
  const z = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([c], 'float32');
  const variance = backend.makeOutput([c], 'float32');
  const inv = backend.makeOutput([c], 'float32');
  // Per slice: float64 sums [c], then float32 mean, variance, block sums and s, t [c each, 2c].
  const perSlice = align8(8 * c + 4 * 5 * c);
  withHeapScratch(backend, parts.length * perSlice, (scratch) => {
    const at = (k: number): { f64: number; mean: number; variance: number; f32: number } => {
      const base = scratch + k * perSlice;
      return { f64: base, mean: base + 8 * c, variance: base + 12 * c, f32: base + 16 * c };
    };
    const ptr = (t: tf.TensorInfo | undefined): number => (t ? pointerOf(backend, t) : 0);
    const offset = (t: tf.TensorInfo | undefined, r: number): number => (t ? pointerOf(backend, t) + 4 * r * c : 0);
    pool.run(parts.map(([r0, r1], k) => ({ fn: 'fr_bn_stats', args: [offset(x, r0), r1 - r0, c, at(k).mean, at(k).variance, at(k).f32, at(k).f64] })));
    // Slices' means and variances combined (Chan et al.): μ = Σ n_k μ_k / N, σ² = Σ n_k (σ_k² + (μ_k − μ)²) / N.
    const heap = heapViews(backend).f32;
    const m = backend.typedArrayFromHeap(mean) as Float32Array;
    const v = backend.typedArrayFromHeap(variance) as Float32Array;
    const r = backend.typedArrayFromHeap(inv) as Float32Array;
    for (let ch = 0; ch < c; ch++) {
      let mu = 0;
      parts.forEach(([r0, r1], k) => (mu += (r1 - r0) * heap[at(k).mean / 4 + ch]!));
      mu /= rows;
      let sigma2 = 0;
      parts.forEach(([r0, r1], k) => (sigma2 += (r1 - r0) * (heap[at(k).variance / 4 + ch]! + (heap[at(k).mean / 4 + ch]! - mu) ** 2)));
      sigma2 /= rows;
      m[ch] = parts.length === 1 ? heap[at(0).mean / 4 + ch]! : mu;
      v[ch] = parts.length === 1 ? heap[at(0).variance / 4 + ch]! : sigma2;
      r[ch] = 1 / Math.sqrt(v[ch]! + eps);
    }
    pool.run(parts.map(([r0, r1], k) => ({
      fn: 'fr_bn_act_forward',
      args: [offset(x, r0), r1 - r0, c, ptr(mean), ptr(inv), ptr(gamma), ptr(beta), ptr(alpha), offset(residual, r0), offset(z, r0), at(k).f32],
    })));
  });
  return [z, mean, variance, inv];
}

/** Kernel function of `FrBatchNormActGrad` on wasm; outputs `[dx, dgamma, dbeta(, dalpha)]`. */
export function batchNormActBackward(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { dz, x, mean, invStd, gamma, beta, alpha } = args.inputs as Record<string, tf.TensorInfo | undefined> as { dz: tf.TensorInfo; x: tf.TensorInfo; mean: tf.TensorInfo; invStd: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo; alpha?: tf.TensorInfo };
  const c = x.shape[x.shape.length - 1] as number;
  checkFloat('FrBatchNormActGrad', args.inputs, c, ['mean', 'invStd', 'gamma', 'beta', 'alpha']);
  if (!tf.util.arraysEqual(dz.shape, x.shape)) throw new Error(`@fr wasm FrBatchNormActGrad: dz is [${dz.shape}], x is [${x.shape}]`);
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const pool = simdPoolFor(backend);
  const parts = slices(backend, rows, c);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([c], 'float32');
  const dbeta = backend.makeOutput([c], 'float32');
  const dalpha = alpha ? backend.makeOutput([c], 'float32') : null;
  // Per slice: float64 sums [3c], float32 scratch [5c]; then b, k [2c] shared.
  const perSlice = align8(24 * c + 20 * c);
  withHeapScratch(backend, parts.length * perSlice + 8 * c, (scratch) => {
    const sums = (k: number): number => scratch + k * perSlice;
    const f32 = (k: number): number => scratch + k * perSlice + 24 * c;
    const bk = scratch + parts.length * perSlice;
    const ptr = (t: tf.TensorInfo | null | undefined): number => (t ? pointerOf(backend, t) : 0);
    const offset = (t: tf.TensorInfo, r: number): number => pointerOf(backend, t) + 4 * r * c;
    const common = [ptr(mean), ptr(invStd), ptr(gamma), ptr(beta), ptr(alpha)];
    pool.run(parts.map(([r0, r1], k) => ({ fn: 'fr_bn_act_backward_sums', args: [offset(x, r0), offset(dz, r0), r1 - r0, c, ...common, sums(k), f32(k)] })));
    const { f32: heap, f64: heap64 } = heapViews(backend);
    const total = (k3: number, ch: number): number => parts.reduce((acc, _, k) => acc + heap64[sums(k) / 8 + k3 * c + ch]!, 0);
    const s = backend.typedArrayFromHeap(gamma) as Float32Array;
    const r = backend.typedArrayFromHeap(invStd) as Float32Array;
    const dg = backend.typedArrayFromHeap(dgamma) as Float32Array;
    const db = backend.typedArrayFromHeap(dbeta) as Float32Array;
    const da = dalpha ? (backend.typedArrayFromHeap(dalpha) as Float32Array) : null;
    for (let ch = 0; ch < c; ch++) {
      const scale = Math.fround(s[ch]! * r[ch]!); // s = γ·r, as the kernel's float32 product
      const dBeta = total(0, ch);
      const dGamma = r[ch]! * total(1, ch);
      db[ch] = dBeta;
      dg[ch] = dGamma;
      if (da) da[ch] = total(2, ch);
      heap[bk / 4 + ch] = (-scale * r[ch]! * dGamma) / rows; // b = −s·r·dγ/N
      heap[bk / 4 + c + ch] = (-scale * dBeta) / rows; // k = −s·dβ/N
    }
    pool.run(parts.map(([r0, r1], k) => ({ fn: 'fr_bn_act_backward_dx', args: [offset(x, r0), offset(dz, r0), r1 - r0, c, ...common, bk, offset(dx, r0), f32(k)] })));
  });
  return dalpha ? [dx, dgamma, dbeta, dalpha] : [dx, dgamma, dbeta];
}
