/**
 * Convolution gradients split over the kernel threads by image. Input gradients write disjoint
 * images ({@link runByImage}); filter gradients sum over the batch, so each slice sums into its
 * own copy of the filter (with its own float32/float64 accumulators) and the copies are added into
 * the first ({@link batchSlices}: both filter-gradient kernels, conv and depthwise, take the same
 * `x, dy, images, …, out, acc32, acc64` pointers).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@fr/core';
import { align8, pointerOf, simdPoolFor, withHeapScratch } from './module.js';
import { splitRange, type SimdCall } from './pool.js';

/** One slice of the batch: where its images start and where it writes. */
export interface BatchSlice {
  readonly x: number;
  readonly dy: number;
  readonly images: number;
  /** The slice's filter: the output for the first slice, scratch for the others. */
  readonly out: number;
  readonly acc32: number;
  readonly acc64: number;
}

/** Runs `call(i0, i1)` for contiguous ranges of `images` on the kernel threads (their outputs must not overlap). */
export function runByImage(backend: BackendWasm, images: number, call: (i0: number, i1: number) => SimdCall): void {
  const pool = simdPoolFor(backend);
  pool.run(splitRange(images, pool.threads, 1).map(([i0, i1]) => call(i0, i1)));
}

/** Runs `call(slice)` for each slice of the batch and returns the summed `[…filterShape]` float32 output. */
export function batchSlices(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, images: number, filterShape: readonly number[], call: (slice: BatchSlice) => SimdCall): tf.TensorInfo {
  const out = backend.makeOutput([...filterShape], 'float32');
  const size = tf.util.sizeFromShape([...filterShape]);
  if (size === 0) return out;
  const pool = simdPoolFor(backend);
  const parts = splitRange(images, pool.threads, 1);
  const xPerImage = (4 * tf.util.sizeFromShape(x.shape)) / Math.max(1, images);
  const dyPerImage = (4 * tf.util.sizeFromShape(dy.shape)) / Math.max(1, images);
  // Per slice: float64 sums, float32 sums, and (after the first) its own filter.
  const perSlice = align8(12 * size) + align8(4 * size);
  withHeapScratch(backend, parts.length * perSlice, (scratch) => {
    const slices = parts.map(([i0, i1], k): BatchSlice => {
      const base = scratch + k * perSlice;
      return {
        x: pointerOf(backend, x) + i0 * xPerImage,
        dy: pointerOf(backend, dy) + i0 * dyPerImage,
        images: i1 - i0,
        out: k === 0 ? pointerOf(backend, out) : base + align8(12 * size),
        acc32: base + align8(8 * size),
        acc64: base,
      };
    });
    pool.run(slices.map(call));
    const add = pool.exportsOf();
    for (const s of slices.slice(1)) add.fr_accumulate(pointerOf(backend, out), s.out, size);
  });
  return out;
}
