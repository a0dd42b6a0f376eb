/**
 * UnsortedSegmentSum for the wasm backend: it is the gradient of `tf.gather`, so without it no
 * embedding table or class-centre bank that is read with gather trains on wasm.
 *
 * Built on the wasm ScatterNd kernel, which adds rows with duplicate indices (one O(N·D) pass, where
 * the cpu backend's version is O(segments·N·D)). ScatterNd does not check bounds, so ids outside
 * [0, numSegments) — which the cpu kernel silently drops — are sent to one extra row that is cut off.
 */
import { tf } from '@fr/core';
import { reshape, runKernel, slice, withScratch, type TensorInfo, type WasmBackend } from './kernel-utils.js';

/** Kernel function for `UnsortedSegmentSum` on wasm (float32 and int32 data). */
export function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const idRank = segmentIds.shape.length;
  if (x.shape.length < idRank || segmentIds.shape.some((n, i) => n !== x.shape[i])) {
    throw new Error(`@fr wasm UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`@fr wasm UnsortedSegmentSum: unsupported dtype ${x.dtype}`);
  const count = tf.util.sizeFromShape(segmentIds.shape);
  const rowShape = x.shape.slice(idRank);
  const rowSize = tf.util.sizeFromShape(rowShape);
  return withScratch(backend, (s) => {
    const ids = backend.readSync(segmentIds.dataId) as Int32Array | Float32Array;
    let outOfRange = false;
    for (const id of ids) if (id < 0 || id >= numSegments) outOfRange = true;
    let indices: TensorInfo;
    // ScatterNd reads the indices as int32: rewrite them when they are not (or must be remapped).
    if (outOfRange || segmentIds.dtype !== 'int32') {
      const remapped = Int32Array.from(ids, (id) => (id < 0 || id >= numSegments ? numSegments : id));
      indices = s.track(backend.makeOutput([count, 1], 'int32', undefined, remapped));
    } else {
      indices = reshape(s, segmentIds, [count, 1]);
    }
    const updates = reshape(s, x, [count, rowSize]);
    const rows = numSegments + (outOfRange ? 1 : 0);
    const scattered = s.track(runKernel(tf.ScatterNd, { indices, updates }, { shape: [rows, rowSize] }, backend));
    const kept = slice(s, scattered, [0, 0], [numSegments, rowSize]);
    return runKernel(tf.Reshape, { x: kept }, { shape: [numSegments, ...rowShape] }, backend);
  });
}
