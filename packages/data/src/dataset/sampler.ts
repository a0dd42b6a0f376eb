/**
 * Epoch plans: which examples form each batch, and which are mirrored. A plan is a pure function
 * of (labels, seed, epoch, batch size, options) — never of what was decoded — so a run resumed at
 * `fromBatch` sees exactly the batches the interrupted run would have seen.
 *
 * Random streams: `Rng.fromSeed(seed).fork('epoch:<epoch>')`, then `.fork('order')` for the
 * shuffle, `.fork('m-per-class')` for the m-per-class sampler and `.fork('flip')` for flips.
 */
import { Rng } from '@fr/core';

/** How examples are grouped into batches. */
export type SamplerOptions =
  /** A fresh permutation of all examples each epoch (or file order with `shuffle: false`). */
  | { readonly kind: 'shuffle'; readonly shuffle?: boolean }
  /** `m` images of each of `batchSize/m` distinct identities per batch (for triplet-style losses). */
  | { readonly kind: 'm-per-class'; readonly m: number };

export interface EpochPlanRequest {
  readonly seed: number;
  readonly epoch: number;
  readonly batchSize: number;
  readonly dropLast: boolean;
}

/** The batches of one epoch: example indices, and a flip flag per slot. */
export interface EpochPlan {
  readonly batches: readonly Int32Array[];
  readonly flips: readonly Uint8Array[];
}

/** The random stream of an epoch. */
export function epochRng(seed: number, epoch: number): Rng {
  return Rng.fromSeed(seed).fork(`epoch:${epoch}`);
}

function validate(request: EpochPlanRequest): void {
  const { batchSize, epoch } = request;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`epoch must be a non-negative integer, got ${epoch}`);
}

/**
 * Plans one epoch.
 *
 * @param labels class of each example
 * @param flipProbability chance of mirroring each slot (0 for none)
 * @example
 * ```ts
 * const plan = planEpoch(labels, { kind: 'shuffle' }, { seed: 1, epoch: 0, batchSize: 64, dropLast: true }, 0.5);
 * ```
 */
export function planEpoch(labels: Int32Array, sampler: SamplerOptions, request: EpochPlanRequest, flipProbability = 0): EpochPlan {
  validate(request);
  const rng = epochRng(request.seed, request.epoch);
  const batches = sampler.kind === 'm-per-class' ? planMPerClass(labels, sampler.m, request, rng) : planShuffle(labels.length, sampler.shuffle !== false, request, rng);
  const flipRng = rng.fork('flip');
  const flips = batches.map((b) => {
    const f = new Uint8Array(b.length);
    if (flipProbability > 0) for (let i = 0; i < f.length; i++) f[i] = flipRng.next() < flipProbability ? 1 : 0;
    return f;
  });
  return { batches, flips };
}

function planShuffle(n: number, shuffle: boolean, request: EpochPlanRequest, rng: Rng): Int32Array[] {
  let order: Int32Array;
  if (shuffle) order = rng.fork('order').permutation(n);
  else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += request.batchSize) {
    if (request.dropLast && start + request.batchSize > n) break;
    batches.push(order.subarray(start, Math.min(start + request.batchSize, n)));
  }
  return batches;
}

/** Example indices grouped by class (classes without examples are absent). */
function byClass(labels: Int32Array): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  labels.forEach((label, i) => {
    let g = groups.get(label);
    if (!g) groups.set(label, (g = []));
    g.push(i);
  });
  return groups;
}

/**
 * The nominal epoch size of the m-per-class sampler: every class contributes `ceil(n_c/m)`
 * chunks of `m` images (a class with fewer than `m`, or a last partial chunk, repeats images).
 *
 * @example
 * ```ts
 * mPerClassEpochSize(Int32Array.of(0, 0, 0, 1), 2); // 6: class 0 → 2 chunks, class 1 → 1 chunk
 * ```
 */
export function mPerClassEpochSize(labels: Int32Array, m: number): number {
  let total = 0;
  for (const g of byClass(labels).values()) total += Math.ceil(g.length / m) * m;
  return total;
}

function planMPerClass(labels: Int32Array, m: number, request: EpochPlanRequest, root: Rng): Int32Array[] {
  if (!Number.isInteger(m) || m < 1) throw new Error(`m-per-class sampler: m must be a positive integer, got ${m}`);
  const { batchSize } = request;
  if (batchSize % m !== 0) throw new Error(`m-per-class sampler: batchSize ${batchSize} is not a multiple of m = ${m}`);
  const perBatch = batchSize / m;
  const rng = root.fork('m-per-class');
  const groups = [...byClass(labels).entries()].sort((a, b) => a[0] - b[0]);
  if (groups.length < perBatch) {
    throw new Error(`m-per-class sampler: a batch of ${batchSize} needs ${perBatch} identities with m = ${m}, but only ${groups.length} have images`);
  }
  // Chunks of m images of one class; short classes cycle through their (shuffled) images.
  const chunks: { label: number; items: Int32Array }[] = [];
  for (const [label, items] of groups) {
    const shuffled = rng.shuffle(items.slice());
    const count = Math.ceil(shuffled.length / m);
    for (let c = 0; c < count; c++) {
      const chunk = new Int32Array(m);
      for (let j = 0; j < m; j++) chunk[j] = shuffled[(c * m + j) % shuffled.length] as number;
      chunks.push({ label, items: chunk });
    }
  }
  rng.shuffle(chunks);
  // Fill batches with chunks of distinct classes in shuffled order; a chunk whose class is
  // already in the batch waits (in order) for the next batch. Linear time when classes are many.
  const batches: Int32Array[] = [];
  let deferred: typeof chunks = [];
  let head = 0;
  for (;;) {
    const batch: number[] = [];
    const used = new Set<number>();
    const waiting: typeof chunks = [];
    const offer = (chunk: (typeof chunks)[number]): void => {
      if (used.size < perBatch && !used.has(chunk.label)) {
        used.add(chunk.label);
        for (const i of chunk.items) batch.push(i);
      } else waiting.push(chunk);
    };
    for (const chunk of deferred) offer(chunk);
    while (used.size < perBatch && head < chunks.length) offer(chunks[head++] as (typeof chunks)[number]);
    deferred = waiting;
    if (used.size < perBatch) {
      if (!request.dropLast && batch.length > 0) batches.push(Int32Array.from(batch));
      break;
    }
    batches.push(Int32Array.from(batch));
  }
  return batches;
}
