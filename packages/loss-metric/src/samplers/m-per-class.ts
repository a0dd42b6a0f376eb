import { Rng } from '@fr/core';

export interface MPerClassOptions {
  /** Images per identity in every batch (≥ 2 for triplets: an anchor needs a positive). */
  readonly m: number;
  /** A multiple of `m`, with at least two identities per batch (`batchSize / m ≥ 2`). */
  readonly batchSize: number;
  readonly seed: number;
  /** 0-based epoch: the batches are a pure function of (labels, m, batchSize, smallClasses, seed, epoch). */
  readonly epoch: number;
  /**
   * Identities with fewer than `m` images: `pad` (default) fills their one group of `m` by drawing
   * their images again (as pytorch-metric-learning's `MPerClassSampler`); `skip` leaves them out.
   */
  readonly smallClasses?: 'pad' | 'skip';
}

/** Number of m-image groups each identity contributes per epoch (before the per-epoch cap). */
export function groupsPerClass(labels: Int32Array, m: number, smallClasses: 'pad' | 'skip' = 'pad'): Map<number, number> {
  const counts = new Map<number, number>();
  for (const y of labels) counts.set(y, (counts.get(y) ?? 0) + 1);
  const groups = new Map<number, number>();
  for (const [y, n] of [...counts].sort((a, b) => a[0] - b[0])) {
    const k = n >= m ? Math.floor(n / m) : smallClasses === 'pad' ? 1 : 0;
    if (k > 0) groups.set(y, k);
  }
  return groups;
}

/** Batches per epoch: as many full batches as the groups fill, with no identity twice in a batch. */
function batchCount(groups: Iterable<number>, perBatch: number): number {
  const ks = [...groups];
  let n = Math.floor(ks.reduce((a, k) => a + k, 0) / perBatch);
  // An identity can appear in at most n batches: cap its groups at n, which may lower n (fixpoint).
  for (;;) {
    const next = Math.floor(ks.reduce((a, k) => a + Math.min(k, n), 0) / perBatch);
    if (next === n) return n;
    n = next;
  }
}

function validate(labels: Int32Array, options: MPerClassOptions): number {
  const { m, batchSize } = options;
  if (!(Number.isInteger(m) && m >= 1)) throw new Error(`m-per-class sampler: m must be a positive integer, got ${m}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1) || batchSize % m !== 0) {
    throw new Error(`m-per-class sampler: the batch size (${batchSize}) must be a positive multiple of m (${m})`);
  }
  const perBatch = batchSize / m;
  if (perBatch < 2) throw new Error(`m-per-class sampler: a batch of ${batchSize} with m = ${m} holds one identity; triplets need at least two (batchSize ≥ 2m)`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (!(Number.isInteger(y) && y >= 0)) throw new Error(`m-per-class sampler: label ${y} of example ${i} is not a non-negative integer`);
  }
  return perBatch;
}

/**
 * The batches of one epoch for metric learning: every batch holds `batchSize / m` distinct
 * identities with exactly `m` images each (grouped: the `m` images of an identity are adjacent).
 * Returns the dataset indices of each batch, in training order.
 *
 * How: each identity's images are shuffled and cut into groups of `m` (the remainder waits for a
 * later epoch; identities with fewer than `m` images are padded or skipped, see
 * {@link MPerClassOptions.smallClasses}); identities are taken in a shuffled order, and each one's
 * groups go to distinct batches, always the emptiest ones (random among equals). So within an
 * epoch every image is used at most once (padding aside), batches are random mixtures of identities,
 * and the number of batches depends only on the labels, `m` and `batchSize`: the most that can be
 * filled, ⌊Σ groups / (batchSize/m)⌋, unless one identity has more groups than there are batches
 * (its extra groups are then left out). Deterministic in (seed, epoch) through {@link Rng}.
 * @example
 * ```ts
 * const batches = mPerClassBatches(labels, { m: 4, batchSize: 64, seed: 2048, epoch: 0 });
 * // batches[0]: 64 indices, 16 identities × 4 images
 * ```
 */
export function mPerClassBatches(labels: Int32Array, options: MPerClassOptions): Int32Array[] {
  const perBatch = validate(labels, options);
  const { m, batchSize } = options;
  const smallClasses = options.smallClasses ?? 'pad';
  const rng = Rng.fromSeed(options.seed).fork(`m-per-class/epoch:${options.epoch}`);
  const groups = groupsPerClass(labels, m, smallClasses);
  const n = batchCount(groups.values(), perBatch);
  if (n === 0) return [];

  const members = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (!groups.has(y)) continue;
    const list = members.get(y);
    if (list) list.push(i);
    else members.set(y, [i]);
  }

  const batches = Array.from({ length: n }, () => new Int32Array(batchSize));
  const filled = new Int32Array(n); // images placed per batch
  // Free slots (in groups) are `level` for batches order[0..high) and `level − 1` for order[high..n).
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let level = perBatch;
  let high = n;
  const swap = (i: number, j: number): void => {
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  };
  const classes = [...groups.keys()];
  rng.shuffle(classes);
  for (const y of classes) {
    if (level === 0) break;
    const images = rng.shuffle([...(members.get(y) as number[])]);
    while (images.length < m) images.push(images[rng.int(images.length)] as number); // pad (smallClasses: 'pad')
    let k = Math.min(groups.get(y) as number, n);
    if (level === 1) k = Math.min(k, high); // only the high batches have room left
    // Choose k distinct batches among the emptiest: first from the high zone, then the low zone.
    const chosen: number[] = [];
    if (k <= high) {
      for (let t = 0; t < k; t++) swap(rng.int(high - t), high - 1 - t);
      for (let t = high - k; t < high; t++) chosen.push(order[t] as number);
      high -= k;
      if (high === 0) {
        level -= 1;
        high = n;
      }
    } else {
      const extra = k - high;
      for (let t = 0; t < high; t++) chosen.push(order[t] as number);
      for (let t = 0; t < extra; t++) swap(high + rng.int(n - high - t), n - 1 - t);
      for (let t = n - extra; t < n; t++) chosen.push(order[t] as number);
      level -= 1;
      high = n - extra;
    }
    chosen.forEach((batch, g) => {
      const at = filled[batch] as number;
      for (let j = 0; j < m; j++) (batches[batch] as Int32Array)[at + j] = images[g * m + j] as number;
      filled[batch] = at + m;
    });
  }
  return batches;
}
