/**
 * Transpose on @fr's SIMD kernel (`packages/backend-wasm/simd/src/transpose.c`): 4×4 register tiles for a
 * moved innermost axis, vector row copies otherwise. tfjs-backend-wasm's own computes every
 * element's source index in a scalar loop; the conv filter gradient's three transposes of
 * activation-sized tensors were 7–10% of an IResNet step with it.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@fr/core';
import { pointerOf, simdKernelsFor } from './module.js';

/**
 * `shape` and `perm` with every run of axes that stay adjacent and in order merged into one, and
 * axes of size 1 dropped (they do not move data): e.g. [N,H,W,C] with perm [0,3,1,2] becomes
 * [N, H·W, C] with perm [0,2,1].
 */
export function mergeAxes(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  // Input axes of size > 1, renumbered 0..k-1 so that axes around a dropped one count as adjacent.
  const sizes = shape.filter((n) => n !== 1);
  const rank = new Map(shape.map((n, axis) => [axis, n !== 1 ? shape.slice(0, axis).filter((m) => m !== 1).length : -1]));
  const kept = perm.map((axis) => rank.get(axis)!).filter((r) => r >= 0);
  const groups: number[][] = [];
  for (const axis of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1]! + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  // Number the groups by their position in the input.
  const byInput = [...groups].sort((a, b) => a[0]! - b[0]!);
  return {
    shape: byInput.map((g) => g.reduce((n, axis) => n * sizes[axis]!, 1)),
    perm: groups.map((g) => byInput.indexOf(g)),
  };
}

/**
 * Transposes `x` (float32 or int32) into a new tensor, or returns null when the merged rank is
 * above 4 (the caller falls back on tfjs' kernel).
 */
export function transposeSimd(backend: BackendWasm, x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo | null {
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return null;
  const merged = mergeAxes(x.shape, perm);
  if (merged.shape.length > 4) return null;
  const outShape = perm.map((axis) => x.shape[axis]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(x.shape) === 0) return out;
  const lead = 4 - merged.shape.length;
  const d = [...Array<number>(lead).fill(1), ...merged.shape];
  const p = [...Array.from({ length: lead }, (_, k) => k), ...merged.perm.map((axis) => axis + lead)];
  simdKernelsFor(backend).fr_transpose(pointerOf(backend, x), pointerOf(backend, out), d[0]!, d[1]!, d[2]!, d[3]!, p[0]!, p[1]!, p[2]!, p[3]!);
  return out;
}

