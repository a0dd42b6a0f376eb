import { Rng, tf } from '@fr/core';
import type { DpapDraws } from '../src/index.js';

/** Random integer pixel images (B, S, S, 3) in [0, 255]. */
export function randomPixels(rng: Rng, batch: number, size: number): Float64Array {
  return Float64Array.from({ length: batch * size * size * 3 }, () => rng.int(256));
}

/** Distinct random patch weights (B, cells), softmax-like positive values. */
export function randomWeights(rng: Rng, batch: number, cells: number): Float32Array {
  return Float32Array.from({ length: batch * cells }, () => Math.fround(rng.uniform(0.001, 1)));
}

/** Draws given row by row (`[b][j]` tables). */
export function drawsOf(u: number[], donors: [number, number, number, number][][]): DpapDraws {
  const flat = (i: number) => donors.flatMap((row) => row.map((d) => d[i] as number));
  return { u, donorIndex: flat(0), donorRow: flat(1), donorCol: flat(2), lambda: flat(3) };
}

/** Patch weights that rank the given cells first, in the given order, for each sample. */
export function weightsRanking(batch: number, cells: number, top: number[][]): Float32Array {
  const w = new Float32Array(batch * cells).fill(0.001);
  top.forEach((order, b) => order.forEach((cell, j) => (w[b * cells + cell] = 1 - j * 0.01)));
  return w;
}

/** Counts of pixels that differ, and the largest difference. */
export function pixelDiff(a: ArrayLike<number>, b: ArrayLike<number>): { count: number; max: number } {
  let count = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (d !== 0) count++;
    max = Math.max(max, d);
  }
  return { count, max };
}

export function flatValues(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}
