/**
 * `FrL2Normalize` / `FrL2NormalizeGrad` on wasm: row L2 normalisation in one SIMD pass each way
 * (`packages/backend-wasm/simd/src/l2-normalize.c`) instead of tfjs' square, sum, maximum, sqrt and a
 * broadcasting divide forward and about twice as many passes backward — on a 100k × 512 class
 * bank each of those passes is 51M elements.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@fr/core';
import type { L2NormalizeAttrs } from '@fr/core';
import { pointerOf, simdPoolFor } from './module.js';
import { splitRange } from './pool.js';

/** Row ranges of at least 32k elements for the kernel threads. */
function rowSlices(backend: BackendWasm, rows: number, width: number): [number, number][] {
  return splitRange(rows, simdPoolFor(backend).threads, Math.ceil(32_768 / Math.max(1, width)));
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

function rowsAndWidth(kernel: string, x: tf.TensorInfo): [number, number] {
  if (x.dtype !== 'float32') throw new Error(`@fr wasm ${kernel}: x must be float32, got ${x.dtype}`);
  if (x.shape.length === 0) throw new Error(`@fr wasm ${kernel}: x must have at least one axis, got a scalar`);
  const d = x.shape[x.shape.length - 1]!;
  return [d === 0 ? 0 : tf.util.sizeFromShape(x.shape) / d, d];
}

/** Kernel function of `FrL2Normalize` on wasm; outputs `[y, norm]`. */
export function l2NormalizeForward(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { eps } = args.attrs as unknown as L2NormalizeAttrs;
  const [rows, d] = rowsAndWidth('FrL2Normalize', x);
  const y = backend.makeOutput(x.shape, 'float32');
  const norm = backend.makeOutput(x.shape.slice(0, -1), 'float32');
  if (rows > 0) {
    simdPoolFor(backend).run(rowSlices(backend, rows, d).map(([r0, r1]) => ({
      fn: 'fr_l2_normalize',
      args: [pointerOf(backend, x) + 4 * r0 * d, r1 - r0, d, eps, pointerOf(backend, y) + 4 * r0 * d, pointerOf(backend, norm) + 4 * r0],
    })));
  }
  return [y, norm];
}

/** Kernel function of `FrL2NormalizeGrad` on wasm. */
export function l2NormalizeBackward(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, x, norm } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; norm: tf.TensorInfo };
  const { eps } = args.attrs as unknown as L2NormalizeAttrs;
  const [rows, d] = rowsAndWidth('FrL2NormalizeGrad', x);
  if (!tf.util.arraysEqual(dy.shape, x.shape)) throw new Error(`@fr wasm FrL2NormalizeGrad: dy is [${dy.shape}], x is [${x.shape}]`);
  const dx = backend.makeOutput(x.shape, 'float32');
  if (rows > 0) {
    simdPoolFor(backend).run(rowSlices(backend, rows, d).map(([r0, r1]) => ({
      fn: 'fr_l2_normalize_grad',
      args: [pointerOf(backend, x) + 4 * r0 * d, pointerOf(backend, dy) + 4 * r0 * d, r1 - r0, d, eps, pointerOf(backend, norm) + 4 * r0, pointerOf(backend, dx) + 4 * r0 * d],
    })));
  }
  return dx;
}
