/**
 * Verification sets for evaluation: 2N images in pairs (2k, 2k+1) with a same/different flag per
 * pair and a fold per pair — from an LFW-style pairs file plus an image folder, or from an
 * insightface `.bin`. Batches are decoded in worker threads like training batches.
 */
import { dataError } from '../errors.js';
import type { BadDataPolicy, LogSink } from '../errors.js';
import { readVerificationBin, type VerificationBin } from '../formats/verification-bin.js';
import { encodeForContainer, type ContainerImageOptions } from '../formats/container-image.js';
import type { DecoderChoice } from '../image/decode.js';
import type { ColorOrder, Normalization } from '../image/normalize.js';
import type { ResizePolicy } from '../image/resize.js';
import { decodeBatch, type PreprocessOptions } from '../dataset/decode-batch.js';
import { DecodePool } from '../dataset/decode-pool.js';
import { RecordFileCache, readRefSync, refId, type ImageRef } from '../dataset/image-ref.js';
import { readPairsFile } from './pairs-file.js';
import { resolvePairs, type FilePattern } from './resolve.js';

/**
 * Fold of each of `n` items under scikit-learn's `KFold(k, shuffle=False)`: contiguous blocks, the
 * first `n mod k` one item larger (insightface's verification protocol).
 *
 * @example
 * ```ts
 * kfoldAssignment(7, 3); // Int32Array [0, 0, 0, 1, 1, 2, 2]
 * ```
 */
export function kfoldAssignment(n: number, k = 10): Int32Array {
  const folds = new Int32Array(n);
  const base = Math.floor(n / k);
  const extra = n % k;
  let i = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0);
    for (let j = 0; j < size; j++) folds[i++] = f;
  }
  return folds;
}

/** Options for {@link VerificationSet.batches}. */
export interface VerificationBatchOptions {
  readonly batchSize?: number;
  readonly inputSize?: number;
  readonly resize?: ResizePolicy;
  readonly normalization?: Normalization;
  readonly colorOrder?: ColorOrder;
  readonly decoder?: DecoderChoice;
  /** Mirror every image (for the flip-sum embedding: run once without, once with). */
  readonly flip?: boolean;
  /** Decode worker threads (default 1; 0 = main thread). */
  readonly workers?: number;
  readonly log?: LogSink;
  /**
   * Decode each distinct image once, in the order of {@link VerificationSet.distinct} (`first`
   * then indexes `distinct.refs`); default false: all 2N images in pair order.
   */
  readonly distinct?: boolean;
}

/** The distinct images of a set, and which one each of its 2N images is. */
export interface DistinctImages {
  /** Each image once, in order of first appearance. */
  readonly refs: readonly ImageRef[];
  /** For image `i` of the 2N (pair k = images 2k, 2k+1), its position in `refs`. */
  readonly index: Int32Array;
}

/**
 * Files named by path are one image however many pairs use them (CelebA's 3000 pairs use 661
 * files, ORL's 400); in-memory and record images are each their own.
 */
function distinctImages(refs: readonly ImageRef[]): DistinctImages {
  const firstOf = new Map<string, number>();
  const unique: ImageRef[] = [];
  const index = new Int32Array(refs.length);
  refs.forEach((ref, i) => {
    const key = ref.kind === 'file' ? ref.path : null;
    const seen = key === null ? undefined : firstOf.get(key);
    if (seen !== undefined) {
      index[i] = seen;
      return;
    }
    if (key !== null) firstOf.set(key, unique.length);
    index[i] = unique.length;
    unique.push(ref);
  });
  return { refs: unique, index };
}

/** A batch of verification images: images `first … first + shape[0] − 1` of the set (or of its distinct images). */
export interface VerificationBatch {
  readonly images: Float32Array;
  readonly shape: readonly [number, number, number, number];
  readonly first: number;
}

/**
 * A verification set.
 *
 * @example
 * ```ts
 * const set = VerificationSet.fromPairs('orl-faces/pairs.txt', 'orl-faces');
 * for await (const b of set.batches({ batchSize: 100 })) { embed(b.images); }
 * writeVerificationBin('orl.bin', set.toBin({ size: 112 }));
 * ```
 */
export class VerificationSet {
  private distinctCache: DistinctImages | undefined;

  private constructor(
    /** Where the set came from (named in messages). */
    readonly source: string,
    /** 2N image references; pair k is (2k, 2k+1). */
    readonly refs: readonly ImageRef[],
    readonly issame: readonly boolean[],
    /** Fold of each pair. */
    readonly folds: Int32Array,
  ) {}

  /** Number of pairs. */
  get size(): number {
    return this.issame.length;
  }

  /** The distinct images (see {@link VerificationBatchOptions.distinct}). */
  get distinct(): DistinctImages {
    this.distinctCache ??= distinctImages(this.refs);
    return this.distinctCache;
  }

  /**
   * From a pairs file and the image root it names files under. Missing files: `stop` (default)
   * throws naming the pairs file, line and path; `skip` drops the pair.
   */
  static fromPairs(pairsPath: string, imageRoot: string, options: { pattern?: FilePattern; badData?: BadDataPolicy; log?: LogSink } = {}): VerificationSet {
    const file = readPairsFile(pairsPath);
    const { pairs } = resolvePairs(file, imageRoot, { pattern: options.pattern, badData: options.badData ?? 'stop', log: options.log });
    const refs: ImageRef[] = [];
    for (const p of pairs) refs.push({ kind: 'file', path: p.path1 }, { kind: 'file', path: p.path2 });
    return new VerificationSet(pairsPath, refs, pairs.map((p) => p.same), Int32Array.from(pairs, (p) => p.fold));
  }

  /** From an insightface `.bin` (folds: 10 contiguous blocks, as insightface evaluates). */
  static fromBin(path: string): VerificationSet {
    return VerificationSet.fromBinData(readVerificationBin(path), path);
  }

  /** From `.bin` contents already in memory. */
  static fromBinData(bin: VerificationBin, name = '<memory>'): VerificationSet {
    const refs: ImageRef[] = bin.images.map((bytes, i) => ({ kind: 'bytes', name: `${name}[${i}]`, bytes }));
    return new VerificationSet(name, refs, bin.issame, kfoldAssignment(bin.issame.length, 10));
  }

  /** All 2N images in order (or each distinct one once), decoded and normalised; any bad image throws (naming it). */
  async *batches(options: VerificationBatchOptions = {}): AsyncGenerator<VerificationBatch> {
    const batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    const preprocess: PreprocessOptions = {
      inputSize: options.inputSize ?? 112,
      resize: options.resize ?? 'stretch',
      normalization: options.normalization ?? 'minus1to1',
      colorOrder: options.colorOrder ?? 'rgb',
      decoder: options.decoder ?? 'js',
      rejectConversions: [],
    };
    const s = preprocess.inputSize;
    const all = options.distinct ? this.distinct.refs : this.refs;
    const pool = await DecodePool.create({ workers: options.workers ?? 1, log: options.log === undefined ? console.warn : options.log });
    try {
      const starts: number[] = [];
      for (let i = 0; i < all.length; i += batchSize) starts.push(i);
      const submit = (first: number): Promise<{ first: number; result: Awaited<ReturnType<typeof decodeBatch>> }> => {
        const refs = all.slice(first, first + batchSize);
        const flips = options.flip ? new Uint8Array(refs.length).fill(1) : undefined;
        const p = pool.run({ refs, flips, options: preprocess }).then((result) => ({ first, result }));
        p.catch(() => undefined);
        return p;
      };
      const depth = Math.max(2, 2 * pool.workerCount);
      const inflight = starts.slice(0, depth).map(submit);
      let nextStart = depth;
      while (inflight.length > 0) {
        const { first, result } = await (inflight.shift() as ReturnType<typeof submit>);
        if (nextStart < starts.length) inflight.push(submit(starts[nextStart++] as number));
        const failure = result.failures[0];
        if (failure) throw dataError(failure.issue.kind, failure.issue.file, `${this.source}: ${failure.issue.message}`);
        const n = result.images.length / (s * s * 3);
        yield { images: result.images, shape: [n, s, s, 3], first };
      }
    } finally {
      await pool.close();
    }
  }

  /**
   * The set as `.bin` contents, images prepared by {@link encodeForContainer} (plain RGB JPEGs are
   * kept byte for byte; anything else is re-encoded as JPEG). A bad image throws, naming it.
   */
  toBin(options: ContainerImageOptions & { onProgress?: (done: number, total: number) => void } = {}): VerificationBin {
    const records = new RecordFileCache();
    const images: Uint8Array[] = [];
    try {
      // Pairs reuse images (LFW: 6000 pairs over 4000-odd files): encode each source once.
      const done = new Map<string, Uint8Array>();
      this.refs.forEach((ref, i) => {
        const id = refId(ref);
        let bytes = done.get(id);
        if (!bytes) {
          bytes = encodeForContainer(readRefSync(ref, records).bytes, id, options);
          if (ref.kind !== 'bytes') done.set(id, bytes);
        }
        images.push(bytes);
        options.onProgress?.(i + 1, this.refs.length);
      });
    } finally {
      records.close();
    }
    return { images, issame: [...this.issame] };
  }
}
