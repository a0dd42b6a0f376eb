/**
 * BatchMatMul for the wasm backend, steering more products onto XNNPACK.
 *
 * tfjs-backend-wasm's BatchMatMul calls XNNPACK's fully-connected operator only for a single
 * matrix product without transposes; everything else runs a blocked scalar loop. Backprop is made
 * of exactly those products (dA = dy·Bᵀ, dB = Aᵀ·dy), and with `transposeA` the loop walks memory
 * with a large stride: a [128,512]ᵀ·[128,8192] product took 2.1–3.0 s instead of 36 ms. So whenever
 * the right operand is one matrix, this transposes the operands explicitly (a cheap memory pass),
 * folds the left operand's batch into its rows and runs the product on the XNNPACK path.
 * Products with a batched right operand (attention) keep the original kernel.
 */
import { tf } from '@fr/core';
import { reshape, runKernel, transpose, withScratch, type TensorInfo, type WasmBackend } from './kernel-utils.js';

/**
 * Whether C = A·B is cheaper as Cᵀ = Bᵀ·Aᵀ (then transposed back). XNNPACK packs the right operand
 * for every call (weights change every step), so the rough cost is the elements transposed plus
 * the elements packed; e.g. dA = dy·Bᵀ for a [512, 8192] class-centre matrix B and a batch of 128
 * ran in 88 ms as dy·(Bᵀ) and in 40 ms as (B·dyᵀ)ᵀ.
 */
function cheaperSwapped(rows: number, k: number, n: number, transposeA: boolean, transposeB: boolean): boolean {
  const direct = (transposeA ? rows * k : 0) + (transposeB ? k * n : 0) + k * n;
  const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : rows * k) + rows * k + rows * n;
  return swapped < direct;
}

/** Kernel function for `BatchMatMul` on wasm (float32, as the original). */
export function batchMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const original = (): TensorInfo => runKernel(tf.BatchMatMul, { a, b }, { transposeA, transposeB }, backend);
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const alreadyFast = batchA === 1 && !transposeA && !transposeB;
  const empty = tf.util.sizeFromShape(a.shape) === 0 || tf.util.sizeFromShape(b.shape) === 0;
  if (alreadyFast || batchB !== 1 || empty || a.dtype !== 'float32' || b.dtype !== 'float32') return original();
  const m = transposeA ? a.shape[rankA - 1]! : a.shape[rankA - 2]!;
  const k = transposeA ? a.shape[rankA - 2]! : a.shape[rankA - 1]!;
  const kB = transposeB ? b.shape[rankB - 1]! : b.shape[rankB - 2]!;
  const n = transposeB ? b.shape[rankB - 2]! : b.shape[rankB - 1]!;
  if (k !== kB) return original(); // let the original kernel report the shape error
  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
  const rows = batchA * m; // a's batch folds into the rows of one product
  const plain = { transposeA: false, transposeB: false };
  return withScratch(backend, (s) => {
    const a3 = reshape(s, a, transposeA ? [batchA, k, m] : [batchA, m, k]);
    const b2 = reshape(s, b, transposeB ? [n, k] : [k, n]);
    if (!cheaperSwapped(rows, k, n, transposeA, transposeB)) {
      const left = reshape(s, transposeA ? transpose(s, a3, [0, 2, 1]) : a3, [1, rows, k]);
      const right = reshape(s, transposeB ? transpose(s, b2, [1, 0]) : b2, [1, k, n]);
      const product = s.track(runKernel(tf.BatchMatMul, { a: left, b: right }, plain, backend));
      return runKernel(tf.Reshape, { x: product }, { shape: outShape }, backend);
    }
    const left = reshape(s, transposeB ? b2 : transpose(s, b2, [1, 0]), [1, n, k]); // Bᵀ
    const right = reshape(s, transpose(s, a3, transposeA ? [1, 0, 2] : [2, 0, 1]), [1, k, rows]); // Aᵀ
    const productT = s.track(runKernel(tf.BatchMatMul, { a: left, b: right }, plain, backend)); // [1, n, rows]
    const product = transpose(s, productT, [0, 2, 1]);
    return runKernel(tf.Reshape, { x: product }, { shape: outShape }, backend);
  });
}
