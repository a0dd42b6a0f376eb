/**
 * The margin head's B×C passes on wasm, each one SIMD pass (`packages/backend-wasm/simd/src/
 * softmax-cross-entropy.c`, `target-logit.c`): softmax cross-entropy forward/backward, taking and
 * replacing each row's target logit, and the cosine clamp's gradient. tfjs composes them from
 * oneHot (int32, then a Cast), Multiply, Sum, logSoftmax, and four kernels for the clamp's
 * gradient — about 25 scalar passes over a 64 × 100k logit matrix per step.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@fr/core';
import { pointerOf, simdKernelsFor, simdPoolFor } from './module.js';
import { splitRange, type SimdCall } from './pool.js';

/** Runs `call` over row ranges of a [rows, cols] matrix on the kernel threads (≥ 32k elements each). */
function byRows(backend: BackendWasm, rows: number, cols: number, call: (r0: number, r1: number) => SimdCall): void {
  const pool = simdPoolFor(backend);
  pool.run(splitRange(rows, pool.threads, Math.ceil(32_768 / Math.max(1, cols))).map(([r0, r1]) => call(r0, r1)));
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** [rows, cols] of a 2-D float32 matrix and int32 targets of length rows, or a clear error. */
function matrixAndTargets(kernel: string, x: tf.TensorInfo, targets: tf.TensorInfo): [number, number] {
  if (x.shape.length !== 2 || x.dtype !== 'float32') throw new Error(`@fr wasm ${kernel}: expected a float32 [rows, columns] matrix, got ${x.dtype} [${x.shape}]`);
  if (targets.dtype !== 'int32' || targets.shape.length !== 1 || targets.shape[0] !== x.shape[0]) {
    throw new Error(`@fr wasm ${kernel}: targets must be int32 [${x.shape[0]}], got ${targets.dtype} [${targets.shape}]`);
  }
  return [x.shape[0]!, x.shape[1]!];
}

/** `FrSoftmaxCrossEntropy`: outputs `[loss, rowMax, rowLogSum]`. */
export function softmaxCrossEntropyForward(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { logits, targets } = args.inputs as { logits: tf.TensorInfo; targets: tf.TensorInfo };
  const [rows, cols] = matrixAndTargets('FrSoftmaxCrossEntropy', logits, targets);
  const loss = backend.makeOutput([rows], 'float32');
  const max = backend.makeOutput([rows], 'float32');
  const logSum = backend.makeOutput([rows], 'float32');
  if (rows > 0) {
    byRows(backend, rows, cols, (r0, r1) => ({
      fn: 'fr_softmax_row_stats',
      args: [pointerOf(backend, logits) + 4 * r0 * cols, r1 - r0, cols, pointerOf(backend, max) + 4 * r0, pointerOf(backend, logSum) + 4 * r0],
    }));
  }
  const z = backend.typedArrayFromHeap(logits) as Float32Array;
  const t = backend.typedArrayFromHeap(targets) as Int32Array;
  const m = backend.typedArrayFromHeap(max) as Float32Array;
  const l = backend.typedArrayFromHeap(logSum) as Float32Array;
  const out = backend.typedArrayFromHeap(loss) as Float32Array;
  for (let i = 0; i < rows; i++) {
    const logSumExp = Math.log(l[i]!); // of Σ e^{z − max}
    l[i] = logSumExp;
    const target = t[i]!;
    // Outside [0, C): a one-hot row of zeros (loss 0; NaN for a NaN row, as −Σ logSoftmax·0).
    if (target >= 0 && target < cols) out[i] = m[i]! - z[i * cols + target]! + logSumExp;
    else out[i] = Number.isNaN(logSumExp) || Number.isNaN(m[i]!) ? Number.NaN : 0;
  }
  return [loss, max, logSum];
}

/** `FrSoftmaxCrossEntropyGrad`: dlogits. */
export function softmaxCrossEntropyBackward(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, logits, targets, rowMax, rowLogSum } = args.inputs as { dy: tf.TensorInfo; logits: tf.TensorInfo; targets: tf.TensorInfo; rowMax: tf.TensorInfo; rowLogSum: tf.TensorInfo };
  const [rows, cols] = matrixAndTargets('FrSoftmaxCrossEntropyGrad', logits, targets);
  const dz = backend.makeOutput(logits.shape, 'float32');
  if (rows > 0 && cols > 0) {
    byRows(backend, rows, cols, (r0, r1) => ({
      fn: 'fr_softmax_cross_entropy_grad',
      args: [
        pointerOf(backend, logits) + 4 * r0 * cols, pointerOf(backend, targets) + 4 * r0, pointerOf(backend, rowMax) + 4 * r0, pointerOf(backend, rowLogSum) + 4 * r0,
        pointerOf(backend, dy) + 4 * r0, r1 - r0, cols, pointerOf(backend, dz) + 4 * r0 * cols,
      ],
    }));
  }
  return dz;
}

/** `FrTakeTargets`: each row's target entry. */
export function takeTargetsForward(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, targets } = args.inputs as { x: tf.TensorInfo; targets: tf.TensorInfo };
  const [rows, cols] = matrixAndTargets('FrTakeTargets', x, targets);
  const v = backend.makeOutput([rows], 'float32');
  if (rows > 0) simdKernelsFor(backend).fr_take_targets(pointerOf(backend, x), pointerOf(backend, targets), rows, cols, pointerOf(backend, v));
  return v;
}

/** `FrTakeTargetsGrad`: a [rows, columns] matrix of zeros with dy at each row's target. */
export function takeTargetsBackward(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, targets } = args.inputs as { dy: tf.TensorInfo; targets: tf.TensorInfo };
  const { columns } = args.attrs as unknown as { columns: number };
  const rows = targets.shape[0]!;
  const dx = backend.makeOutput([rows, columns], 'float32');
  if (rows > 0 && columns > 0) {
    byRows(backend, rows, columns, (r0, r1) => ({
      fn: 'fr_take_targets_grad',
      args: [pointerOf(backend, dy) + 4 * r0, pointerOf(backend, targets) + 4 * r0, r1 - r0, columns, pointerOf(backend, dx) + 4 * r0 * columns],
    }));
  }
  return dx;
}

/** `FrReplaceTargets`: scale·x with the targets replaced by scale·values. */
export function replaceTargetsForward(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, targets, values } = args.inputs as { x: tf.TensorInfo; targets: tf.TensorInfo; values: tf.TensorInfo };
  const { scale } = args.attrs as unknown as { scale: number };
  const [rows, cols] = matrixAndTargets('FrReplaceTargets', x, targets);
  const z = backend.makeOutput(x.shape, 'float32');
  if (rows > 0 && cols > 0) {
    byRows(backend, rows, cols, (r0, r1) => ({
      fn: 'fr_replace_targets',
      args: [pointerOf(backend, x) + 4 * r0 * cols, pointerOf(backend, targets) + 4 * r0, pointerOf(backend, values) + 4 * r0, r1 - r0, cols, scale, pointerOf(backend, z) + 4 * r0 * cols],
    }));
  }
  return z;
}

/** `FrReplaceTargetsGrad`: outputs `[dx, dvalues]`. */
export function replaceTargetsBackward(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { dy, targets } = args.inputs as { dy: tf.TensorInfo; targets: tf.TensorInfo };
  const { scale } = args.attrs as unknown as { scale: number };
  const [rows, cols] = matrixAndTargets('FrReplaceTargetsGrad', dy, targets);
  const dx = backend.makeOutput(dy.shape, 'float32');
  const dv = backend.makeOutput([rows], 'float32');
  if (rows > 0) {
    byRows(backend, rows, cols, (r0, r1) => ({
      fn: 'fr_replace_targets_grad',
      args: [pointerOf(backend, dy) + 4 * r0 * cols, pointerOf(backend, targets) + 4 * r0, r1 - r0, cols, scale, pointerOf(backend, dx) + 4 * r0 * cols, pointerOf(backend, dv) + 4 * r0],
    }));
  }
  return [dx, dv];
}

/** `FrClipByValueGrad`: dy where min ≤ x ≤ max, else 0. */
export function clipByValueBackward(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const { clipValueMin, clipValueMax } = args.attrs as unknown as tf.ClipByValueAttrs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`@fr wasm FrClipByValueGrad: dy and x must be float32, got ${dy.dtype} and ${x.dtype}`);
  const dx = backend.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  // A flat range split like rows of one element.
  if (n > 0) {
    byRows(backend, n, 1, (k0, k1) => ({
      fn: 'fr_clamp_grad',
      args: [pointerOf(backend, x) + 4 * k0, pointerOf(backend, dy) + 4 * k0, k1 - k0, clipValueMin, clipValueMax, pointerOf(backend, dx) + 4 * k0],
    }));
  }
  return dx;
}
