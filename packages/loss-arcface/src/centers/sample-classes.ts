import type { RandomSource } from '@fr/core';

/** The classes a Partial FC step uses and each sample's column among them. */
export interface ClassSample {
  /** Sorted class ids whose centres take part in this step. */
  readonly index: Int32Array;
  /** Each label's position in `index` (the remapped targets). */
  readonly targets: Int32Array;
  /** How many of `index` are classes present in the batch. */
  readonly positives: number;
}

function randomInt(rng: RandomSource, n: number): number {
  return Math.min(n - 1, Math.floor(rng.next() * n));
}

/**
 * Partial FC v2's class sampling (`PartialFC_V2.sample`): every class present in the batch plus
 * `numSample − positives` other classes drawn uniformly without replacement, sorted; when
 * `numSample` is below the number of positives, the positives only. Targets are each label's
 * position in the sorted index (`searchsorted`).
 *
 * The draw costs O(numSample) time and memory (Floyd's algorithm over the non-positive classes),
 * not O(numClasses) as PyTorch's random permutation does, so it stays cheap for millions of
 * classes. Every k-subset of the negatives is equally likely, as with the reference's topk of
 * uniform scores.
 * @example
 * ```ts
 * const { index, targets } = sampleClasses(Int32Array.from([7, 2, 7]), 100, 10, Rng.fromSeed(1));
 * // index: 10 sorted ids including 2 and 7; index[targets[i]] === labels[i]
 * ```
 */
export function sampleClasses(labels: ArrayLike<number>, numClasses: number, numSample: number, rng: RandomSource): ClassSample {
  const positives = Int32Array.from(new Set(Array.from(labels))).sort();
  for (const p of positives) {
    if (!(Number.isInteger(p) && p >= 0 && p < numClasses)) throw new Error(`sampleClasses: label ${p} is outside [0, ${numClasses})`);
  }
  const p = positives.length;
  let index: Int32Array;
  if (numSample <= p) {
    index = positives;
  } else {
    const free = numClasses - p;
    const k = Math.min(numSample, numClasses) - p;
    // Floyd: a uniform k-subset of [0, free).
    const chosen = new Set<number>();
    for (let j = free - k; j < free; j++) {
      const t = randomInt(rng, j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    const ranks = Int32Array.from(chosen).sort();
    // The r-th non-positive class is r + (number of positives at or below it).
    const negatives = new Int32Array(k);
    let skip = 0;
    for (let i = 0; i < k; i++) {
      const r = ranks[i] as number;
      while (skip < p && (positives[skip] as number) <= r + skip) skip++;
      negatives[i] = r + skip;
    }
    index = new Int32Array(p + k);
    let a = 0;
    let b = 0;
    for (let i = 0; i < index.length; i++) {
      index[i] = b >= k || (a < p && (positives[a] as number) < (negatives[b] as number)) ? (positives[a++] as number) : (negatives[b++] as number);
    }
  }
  const column = new Map<number, number>();
  index.forEach((c, i) => column.set(c, i));
  const targets = Int32Array.from(Array.from(labels), (y) => column.get(y) as number);
  return { index, targets, positives: p };
}
