/**
 * Brute-force plain-JS references for the miners and the triplet margin loss. They read the same
 * float32 distance values as the tensors (so comparisons and ties agree) and loop over every
 * (a, p, n) explicitly.
 */
import { Rng } from '@fr/core';

export type Matrix = number[][];
export type Triplet = [number, number, number];

export const isPositive = (y: ArrayLike<number>, a: number, p: number): boolean => a !== p && y[a] === y[p];
export const isNegative = (y: ArrayLike<number>, a: number, n: number): boolean => y[a] !== y[n];

/** (B, B) distances in float64 from rows. */
export function distancesOf(rows: number[][], squared: boolean): Matrix {
  return rows.map((u) => rows.map((v) => {
    const s = u.reduce((acc, ui, k) => acc + (ui - (v[k] as number)) ** 2, 0);
    return squared ? s : Math.sqrt(s);
  }));
}

export function normalizeRows(rows: number[][]): number[][] {
  return rows.map((r) => {
    const norm = Math.max(Math.sqrt(r.reduce((a, v) => a + v * v, 0)), 1e-12);
    return r.map((v) => v / norm);
  });
}

export function batchHardRef(d: Matrix, y: ArrayLike<number>): Triplet[] {
  const out: Triplet[] = [];
  for (let a = 0; a < d.length; a++) {
    let p = -1;
    let n = -1;
    for (let j = 0; j < d.length; j++) {
      if (isPositive(y, a, j) && (p < 0 || d[a]![j]! > d[a]![p]!)) p = j;
      if (isNegative(y, a, j) && (n < 0 || d[a]![j]! < d[a]![n]!)) n = j;
    }
    if (p >= 0 && n >= 0) out.push([a, p, n]);
  }
  return out;
}

export function batchAllRef(d: Matrix, y: ArrayLike<number>): Triplet[] {
  const out: Triplet[] = [];
  for (let a = 0; a < d.length; a++) {
    for (let p = 0; p < d.length; p++) {
      for (let n = 0; n < d.length; n++) if (isPositive(y, a, p) && isNegative(y, a, n)) out.push([a, p, n]);
    }
  }
  return out;
}

export function semiHardRef(d: Matrix, y: ArrayLike<number>, margin: number): Triplet[] {
  const out: Triplet[] = [];
  for (let a = 0; a < d.length; a++) {
    let hardest = -1;
    for (let n = 0; n < d.length; n++) if (isNegative(y, a, n) && (hardest < 0 || d[a]![n]! < d[a]![hardest]!)) hardest = n;
    if (hardest < 0) continue;
    for (let p = 0; p < d.length; p++) {
      if (!isPositive(y, a, p)) continue;
      const dap = d[a]![p]!;
      const upper = Math.fround(dap + Math.fround(margin)); // the float32 sum the tensors compute
      let best = -1;
      for (let n = 0; n < d.length; n++) {
        const dan = d[a]![n]!;
        if (isNegative(y, a, n) && dan > dap && dan < upper && (best < 0 || dan < d[a]![best]!)) best = n;
      }
      out.push([a, p, best >= 0 ? best : hardest]);
    }
  }
  return out;
}

export function tripletLosses(d: Matrix, triplets: Triplet[], margin: number): number[] {
  return triplets.map(([a, p, n]) => Math.max(0, d[a]![p]! - d[a]![n]! + margin));
}

export function reduce(losses: number[], reduction: 'mean' | 'mean-nonzero' | 'sum'): number {
  const total = losses.reduce((x, v) => x + v, 0);
  if (reduction === 'sum') return total;
  if (reduction === 'mean') return losses.length ? total / losses.length : 0;
  const active = losses.filter((v) => v > 0).length;
  return active ? total / active : 0;
}

/** A random batch: `classes` identities with the given image counts, in shuffled order, normal rows. */
export function randomBatch(seed: number, counts: number[], dim: number): { labels: Int32Array; rows: number[][] } {
  const rng = Rng.fromSeed(seed).fork('reference-batch');
  const labels = Int32Array.from(rng.shuffle(counts.flatMap((n, c) => Array.from({ length: n }, () => c))));
  const rows = Array.from(labels, () => Array.from({ length: dim }, () => rng.normal()));
  return { labels, rows };
}

export const key = (t: readonly number[]): string => t.join(',');

/**
 * How far the batch is from the kinks of the triplet loss, in distance units: the smallest gap
 * between a selected distance and a competing candidate (max/min ties), between any negative and
 * the semi-hard window's edges d(a,p) and d(a,p) + α, and between a triplet's d(a,p) − d(a,n) + α
 * and the hinge at 0. Finite differences are only meaningful with steps well below this.
 */
export function kinkGap(d: Matrix, y: ArrayLike<number>, margin: number, mining: 'batch-hard' | 'batch-all' | 'semi-hard'): number {
  let gap = Infinity;
  const triplets = mining === 'batch-hard' ? batchHardRef(d, y) : mining === 'semi-hard' ? semiHardRef(d, y, margin) : batchAllRef(d, y);
  for (const [a, p, n] of triplets) {
    gap = Math.min(gap, Math.abs(d[a]![p]! - d[a]![n]! + margin));
    if (mining === 'batch-all') continue;
    for (let j = 0; j < d.length; j++) {
      if (mining === 'batch-hard' && j !== p && isPositive(y, a, j)) gap = Math.min(gap, Math.abs(d[a]![j]! - d[a]![p]!));
      if (j !== n && isNegative(y, a, j)) gap = Math.min(gap, Math.abs(d[a]![j]! - d[a]![n]!));
      if (mining === 'semi-hard' && isNegative(y, a, j)) {
        gap = Math.min(gap, Math.abs(d[a]![j]! - d[a]![p]!), Math.abs(d[a]![j]! - d[a]![p]! - margin));
      }
    }
  }
  return gap;
}

/** The embeddings and labels `checkLossPlugin` builds for `seed` (mirrors its fixture, to check them for kinks). */
export function lossKitFixture(seed: number, batchSize: number, numClasses: number, dim: number): { labels: Int32Array; rows: number[][] } {
  const rng = Rng.fromSeed(seed).fork('fixture');
  const labels = new Int32Array(batchSize);
  for (let i = 0; i < batchSize; i++) labels[i] = i < numClasses ? i : rng.int(numClasses);
  const flat = rng.fillNormal(new Float32Array(batchSize * dim));
  const rows = Array.from({ length: batchSize }, (_, i) => Array.from(flat.subarray(i * dim, (i + 1) * dim)));
  return { labels, rows };
}
