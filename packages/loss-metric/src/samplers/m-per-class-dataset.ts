import type { BatchRequest, HostBatch, TrainingDataset } from '@fr/core';
import { groupsPerClass, mPerClassBatches } from './m-per-class.js';

/** Any labelled image collection that can be read by index (in memory, on disk, synthetic…). */
export interface IndexedImageSource {
  /** Number of images. */
  readonly size: number;
  readonly numClasses: number;
  /** Square image side: `getImage` returns `inputSize·inputSize·3` values, HWC, normalised for the backbone. */
  readonly inputSize: number;
  getImage(index: number): Float32Array;
  /** Identity of image `index`, in `[0, numClasses)`. */
  label(index: number): number;
  /** Optional identifier for logs and error messages (a file path…). */
  id?(index: number): string;
}

export interface MPerClassDatasetOptions {
  /** Images per identity in every batch (default 4; ≥ 2 for triplets). */
  readonly m?: number;
  /** See {@link MPerClassOptions.smallClasses}. Default `pad`. */
  readonly smallClasses?: 'pad' | 'skip';
}

/** A {@link TrainingDataset} whose batches hold `m` images of each of `batchSize / m` identities. */
export interface MPerClassDataset extends TrainingDataset {
  readonly provides: readonly ['batch:m-per-class'];
  readonly m: number;
  readonly inputSize: number;
  /** The labels of the source, read once. */
  readonly labels: Int32Array;
  /** The index batches of one epoch (what {@link TrainingDataset.batches} loads), from `fromBatch` on. */
  batchIndices(request: BatchRequest): Int32Array[];
}

/**
 * Wraps an indexable source as a training dataset that promises `batch:m-per-class` (the
 * capability {@link tripletLoss} requires), sampling with {@link mPerClassBatches}. `size` is the
 * number of images an epoch uses (identities' whole groups of `m`), so the trainer's
 * `epochs → steps` count matches the sampler's batches unless one identity dominates the data.
 * @example
 * ```ts
 * const synthetic = syntheticIdentities({ numClasses: 32, imagesPerClass: 8, inputSize: 16 });
 * const dataset = mPerClassDataset({ ...synthetic, getImage: synthetic.image }, { m: 4 });
 * ```
 */
export function mPerClassDataset(source: IndexedImageSource, options: MPerClassDatasetOptions = {}): MPerClassDataset {
  const m = options.m ?? 4;
  const smallClasses = options.smallClasses ?? 'pad';
  const { size, numClasses, inputSize } = source;
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`mPerClassDataset: the source's size must be a positive integer, got ${size}`);
  if (!(Number.isInteger(m) && m >= 1)) throw new Error(`mPerClassDataset: m must be a positive integer, got ${m}`);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const y = source.label(i);
    if (!(Number.isInteger(y) && y >= 0 && y < numClasses)) {
      throw new Error(`mPerClassDataset: label ${y} of image ${i}${source.id ? ` (${source.id(i)})` : ''} is outside [0, ${numClasses})`);
    }
    labels[i] = y;
  }
  let used = 0;
  for (const k of groupsPerClass(labels, m, smallClasses).values()) used += k * m;
  const pixels = inputSize * inputSize * 3;

  const batchIndices = (request: BatchRequest): Int32Array[] => {
    const all = mPerClassBatches(labels, { m, batchSize: request.batchSize, seed: request.seed, epoch: request.epoch, smallClasses });
    return all.slice(request.fromBatch);
  };

  return {
    numClasses,
    size: used,
    provides: ['batch:m-per-class'],
    m,
    inputSize,
    labels,
    batchIndices,
    async *batches(request: BatchRequest): AsyncIterable<HostBatch> {
      const epochBatches = batchIndices(request);
      if (epochBatches.length === 0 && request.fromBatch === 0) {
        throw new Error(`mPerClassDataset: not one batch of ${request.batchSize / m} identities × ${m} images can be formed ` +
          `(identities with ≥ ${m} images${smallClasses === 'pad' ? ', or padded' : ''}: ${groupsPerClass(labels, m, smallClasses).size})`);
      }
      for (const idx of epochBatches) {
        const images = new Float32Array(idx.length * pixels);
        const batchLabels = new Int32Array(idx.length);
        idx.forEach((i, k) => {
          const image = source.getImage(i);
          if (image.length !== pixels) {
            throw new Error(`mPerClassDataset: image ${i}${source.id ? ` (${source.id(i)})` : ''} has ${image.length} values, expected ${inputSize}×${inputSize}×3 = ${pixels}`);
          }
          images.set(image, k * pixels);
          batchLabels[k] = labels[i] as number;
        });
        const ids = source.id ? Array.from(idx, (i) => (source.id as (i: number) => string)(i)) : undefined;
        yield { images, labels: batchLabels, shape: [idx.length, inputSize, inputSize, 3], ...(ids ? { ids } : {}) };
      }
    },
  };
}
