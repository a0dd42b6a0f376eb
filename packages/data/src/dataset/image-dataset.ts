/**
 * The training-set engine shared by the folder and RecordIO loaders: deterministic epoch plans,
 * decoding in a worker pool with a bounded prefetch queue, and the bad-data policy.
 */
import type { BatchRequest, HostBatch, TrainingDataset } from '@fr/core';
import { DataError, dataError, IssueLog, type BadDataPolicy, type DataIssue, type DataIssueKind, type LogSink } from '../errors.js';
import { sharpAvailable, type DecoderChoice } from '../image/decode.js';
import type { ColorOrder, Normalization } from '../image/normalize.js';
import type { ResizePolicy } from '../image/resize.js';
import type { ColorConversion } from '../image/types.js';
import type { Point } from '../align/template.js';
import type { BatchJob, BatchResult, PreprocessOptions } from './decode-batch.js';
import { DecodePool, defaultWorkerCount } from './decode-pool.js';
import { refId, type ImageRef } from './image-ref.js';
import { closedSetNoise, type ClosedSetNoise, type LabelNoiseOptions } from './label-noise.js';
import { mPerClassEpochSize, planEpoch, type EpochPlan, type SamplerOptions } from './sampler.js';

/** Options shared by every loader. Property names match @fr/core's `Preprocessing`, so `{ ...backbone.preprocessing }` can be spread in. */
export interface LoaderOptions {
  /** Output side in pixels (default 112). */
  readonly inputSize?: number;
  /** Non-square / other-size images: `stretch` (default) or `center-crop`. */
  readonly resize?: ResizePolicy;
  /** `minus1to1` (default, `x/127.5 − 1`) or `mxnet` (`(x − 127.5)/128`). */
  readonly normalization?: Normalization;
  /** Default `rgb`. */
  readonly colorOrder?: ColorOrder;
  /** JPEG decoder: `js` (default, identical on every machine) or `sharp` (if installed). */
  readonly decoder?: DecoderChoice;
  /** Conversions to treat as bad data (e.g. `['cmyk', '16-bit']`); default none. */
  readonly rejectConversions?: readonly ColorConversion[];
  /**
   * Bad files: `skip` (default) leaves them out with one message per file and a count in
   * {@link ImageDataset.report}; `stop` throws a {@link DataError} naming the file. Labels never
   * shift: a class keeps its index even when all its files are skipped.
   */
  readonly badData?: BadDataPolicy;
  /**
   * `shuffle` (default): a new permutation per epoch; `sequential`: dataset order (evaluation);
   * `{ mPerClass: m }`: each batch holds `batchSize/m` identities × `m` images, and the dataset
   * then provides the `batch:m-per-class` capability.
   */
  readonly sampler?: 'shuffle' | 'sequential' | { readonly mPerClass: number };
  /** Random horizontal flip (insightface's only augmentation): `true` = probability 0.5. Default off. */
  readonly randomFlip?: boolean | number;
  /**
   * Inject closed-set label noise (see {@link closedSetNoise}): batches and the sampler use the
   * moved labels; the clean ones stay in {@link ImageDataset.labelNoise}. Default none.
   */
  readonly labelNoise?: LabelNoiseOptions;
  /** Decode worker threads (default: CPUs − 1, at least 1; 0 = decode in the main thread). */
  readonly workers?: number;
  /** Batches decoded ahead of the consumer (default 2 per worker, at least 2). */
  readonly prefetch?: number;
  /** Log sink for skipped files and worker fallbacks (default `console.warn`; `null` silences). */
  readonly log?: LogSink;
  /** Called for every issue, in addition to the log. */
  readonly onIssue?: (issue: DataIssue) => void;
}

/** A loader's account of its data. */
export interface DatasetReport {
  readonly examples: number;
  readonly classes: number;
  /** Names of classes with no usable example (their indices are kept). */
  readonly emptyClasses: readonly string[];
  /** Problems found so far, one per bad file (validation and decoding). */
  readonly issues: readonly DataIssue[];
  readonly issueCounts: Partial<Record<DataIssueKind, number>>;
  /** Conversions applied, counted during validation (`grey: 400` for ORL). */
  readonly conversions: Partial<Record<ColorConversion, number>>;
  /** Where decoding happens (`not started` before the first batch). */
  readonly decoding: 'workers' | 'in-thread' | 'not started';
  readonly workers: number;
  /** Batches submitted for decoding so far (prefetch included). */
  readonly batchesSubmitted: number;
}

/** One labelled example. */
export interface Example {
  readonly ref: ImageRef;
  readonly label: number;
  /** Five ArcFace landmarks (image pixels): the image is aligned to the template before preprocessing. */
  readonly landmarks?: readonly Point[];
}

/** Internal construction state shared with subclasses. */
export interface ImageDatasetInit {
  readonly examples: readonly Example[];
  readonly classNames: readonly string[];
  readonly options: LoaderOptions;
  readonly issues: IssueLog;
  readonly conversions?: Partial<Record<ColorConversion, number>>;
  /** Side of the aligned crop for examples with landmarks (default 112). */
  readonly alignSize?: number;
}

/**
 * A labelled image set implementing @fr/core's `TrainingDataset`. Batch order is a pure function
 * of `(seed, epoch)` (see {@link planEpoch}); images are decoded in worker threads ahead of use.
 *
 * @example
 * ```ts
 * const ds = ImageDataset.fromExamples(
 *   [{ ref: { kind: 'file', path: 'a/1.jpg' }, label: 0 }, { ref: { kind: 'file', path: 'b/1.jpg' }, label: 1 }],
 *   ['a', 'b'],
 *   { inputSize: 112 },
 * );
 * for await (const batch of ds.batches({ epoch: 0, seed: 1, batchSize: 2, fromBatch: 0, dropLast: false })) {
 *   batch.images; // Float32Array, NHWC, normalised
 * }
 * await ds.close();
 * ```
 */
export class ImageDataset implements TrainingDataset {
  readonly numClasses: number;
  readonly size: number;
  readonly provides: readonly string[];
  readonly classNames: readonly string[];
  /** The example list (after validation), in dataset order. */
  readonly refs: readonly ImageRef[];
  /** Class of each example, as training sees it (with `labelNoise`, the moved labels). */
  readonly labels: Int32Array;
  /** The injected noise with the clean labels, or null without `labelNoise`. */
  readonly labelNoise: ClosedSetNoise | null;
  /** The true class of each example (with `labelNoise`, the labels before moving). */
  private readonly cleanLabels: Int32Array;
  /** Landmarks of each example, flattened (`[x0, y0, …, x4, y4]`), or null: aligned when decoded. */
  private readonly landmarks: readonly (readonly number[] | null)[] | undefined;
  protected readonly issueLog: IssueLog;
  private readonly options: LoaderOptions;
  private readonly preprocess: PreprocessOptions;
  private readonly sampler: SamplerOptions;
  private readonly flipProbability: number;
  private readonly conversions: Partial<Record<ColorConversion, number>>;
  private readonly reported = new Set<string>();
  private pool: Promise<DecodePool> | undefined;
  private poolState: DecodePool | undefined;
  private closed = false;

  protected constructor(init: ImageDatasetInit) {
    const { examples, classNames, options } = init;
    this.options = options;
    this.classNames = classNames;
    this.numClasses = classNames.length;
    this.refs = examples.map((e) => e.ref);
    this.cleanLabels = Int32Array.from(examples, (e) => e.label);
    this.landmarks = examples.some((e) => e.landmarks) ? examples.map((e) => (e.landmarks ? e.landmarks.flat() : null)) : undefined;
    for (const e of examples) {
      if (!Number.isInteger(e.label) || e.label < 0 || e.label >= this.numClasses) {
        throw new Error(`example ${refId(e.ref)} has label ${e.label}, outside [0, ${this.numClasses})`);
      }
      if (e.landmarks && (e.landmarks.length !== 5 || !e.landmarks.flat().every(Number.isFinite))) {
        throw new Error(`example ${refId(e.ref)} needs 5 finite [x, y] landmarks to be aligned, got ${JSON.stringify(e.landmarks)}`);
      }
    }
    this.labelNoise = options.labelNoise ? closedSetNoise(this.cleanLabels, options.labelNoise) : null;
    this.labels = this.labelNoise ? this.labelNoise.labels : this.cleanLabels;
    this.issueLog = init.issues;
    this.conversions = init.conversions ?? {};
    const inputSize = options.inputSize ?? 112;
    if (!Number.isInteger(inputSize) || inputSize < 1) throw new Error(`inputSize must be a positive integer, got ${inputSize}`);
    this.preprocess = {
      inputSize,
      resize: options.resize ?? 'stretch',
      normalization: options.normalization ?? 'minus1to1',
      colorOrder: options.colorOrder ?? 'rgb',
      decoder: options.decoder ?? 'js',
      rejectConversions: [...(options.rejectConversions ?? [])],
      ...(this.landmarks ? { alignSize: init.alignSize ?? 112 } : {}),
    };
    const s = options.sampler ?? 'shuffle';
    this.sampler = typeof s === 'object' ? { kind: 'm-per-class', m: s.mPerClass } : { kind: 'shuffle', shuffle: s === 'shuffle' };
    if (this.sampler.kind === 'm-per-class' && (!Number.isInteger(this.sampler.m) || this.sampler.m < 1)) {
      throw new Error(`sampler.mPerClass must be a positive integer, got ${this.sampler.m}`);
    }
    this.size = this.sampler.kind === 'm-per-class' ? mPerClassEpochSize(this.labels, this.sampler.m) : this.labels.length;
    this.provides = this.sampler.kind === 'm-per-class' ? ['batch:m-per-class'] : [];
    const flip = options.randomFlip ?? false;
    this.flipProbability = flip === true ? 0.5 : flip === false ? 0 : flip;
    if (!(this.flipProbability >= 0 && this.flipProbability <= 1)) throw new Error(`randomFlip must be a boolean or a probability, got ${String(flip)}`);
  }

  /** A dataset over any list of labelled images (files, `.rec` records or in-memory bytes). */
  static fromExamples(examples: readonly Example[], classNames: readonly string[], options: LoaderOptions = {}): ImageDataset {
    const issues = new IssueLog(options.badData ?? 'skip', options.log === undefined ? console.warn : options.log, options.onIssue);
    return new ImageDataset({ examples, classNames, options, issues });
  }

  /** How images are preprocessed (resolved defaults). */
  get preprocessing(): PreprocessOptions {
    return this.preprocess;
  }

  /** The plan of one epoch (batches of example indices and flip flags); no decoding. */
  plan(request: Pick<BatchRequest, 'seed' | 'epoch' | 'batchSize' | 'dropLast'>): EpochPlan {
    return planEpoch(this.labels, this.sampler, request, this.flipProbability);
  }

  /** Number of batches one epoch yields (before any bad-file skipping). */
  numBatches(request: Pick<BatchRequest, 'seed' | 'epoch' | 'batchSize' | 'dropLast'>): number {
    return this.plan(request).batches.length;
  }

  private getPool(): Promise<DecodePool> {
    const log = this.options.log === undefined ? console.warn : this.options.log;
    this.pool ??= (async () => {
      if (this.preprocess.decoder === 'sharp' && !(await sharpAvailable())) {
        log?.("[fr/data] decoder 'sharp' requested but sharp cannot be imported here; decoding JPEG with jpeg-js");
      }
      const p = await DecodePool.create({ workers: this.options.workers ?? defaultWorkerCount(), log });
      this.poolState = p;
      return p;
    })();
    return this.pool;
  }

  /**
   * The batches of one epoch, decoded ahead in worker threads. Batches before `fromBatch` are
   * planned but never read or decoded.
   */
  async *batches(request: BatchRequest): AsyncGenerator<HostBatch> {
    if (this.closed) throw new Error('dataset is closed');
    const plan = this.plan(request);
    const from = request.fromBatch;
    if (!Number.isInteger(from) || from < 0) throw new Error(`fromBatch must be a non-negative integer, got ${from}`);
    const pool = await this.getPool();
    const depth = Math.max(1, this.options.prefetch ?? Math.max(2, 2 * pool.workerCount));
    const inflight: Promise<BatchResult>[] = [];
    let next = from;
    const submit = (): void => {
      const b = next++;
      const job: BatchJob = {
        refs: Array.from(plan.batches[b] as Int32Array, (i) => this.refs[i] as ImageRef),
        flips: plan.flips[b] as Uint8Array,
        ...(this.landmarks ? { landmarks: Array.from(plan.batches[b] as Int32Array, (i) => this.landmarks?.[i] ?? null) } : {}),
        options: this.preprocess,
      };
      const p = pool.run(job);
      p.catch(() => undefined); // consumed below; never an unhandled rejection if the consumer stops early
      inflight.push(p);
    };
    while (next < plan.batches.length && inflight.length < depth) submit();
    for (let b = from; b < plan.batches.length; b++) {
      const result = await (inflight.shift() as Promise<BatchResult>);
      if (next < plan.batches.length) submit();
      const batch = this.assemble(plan.batches[b] as Int32Array, result);
      if (batch) yield batch;
    }
  }

  private assemble(indices: Int32Array, result: BatchResult): HostBatch | undefined {
    const size = this.preprocess.inputSize;
    const sample = size * size * 3;
    for (let i = 0; i < indices.length; i++) {
      const fromRecord = result.recordLabels[i] as number;
      const expected = this.cleanLabels[indices[i] as number] as number;
      if (!Number.isNaN(fromRecord) && fromRecord !== expected) {
        const id = refId(this.refs[indices[i] as number] as ImageRef);
        throw dataError('bad-container', id, `record ${id} has class ${fromRecord} in its header but ${expected} from the identity records (open with labelSource: 'headers' to trust headers)`);
      }
    }
    const failed = new Set<number>();
    for (const f of result.failures) {
      if (this.issueLog.policy === 'stop') throw new DataError(f.issue);
      failed.add(f.index);
      if (!this.reported.has(f.issue.file)) {
        this.reported.add(f.issue.file);
        this.issueLog.note(f.issue);
      }
    }
    const n = indices.length - failed.size;
    if (n === 0) return undefined;
    let images = result.images;
    const labels = new Int32Array(n);
    const ids: string[] = [];
    let k = 0;
    for (let i = 0; i < indices.length; i++) {
      if (failed.has(i)) continue;
      const idx = indices[i] as number;
      if (k !== i) images.copyWithin(k * sample, i * sample, (i + 1) * sample);
      labels[k] = this.labels[idx] as number;
      ids.push(refId(this.refs[idx] as ImageRef));
      k++;
    }
    if (n < indices.length) images = images.slice(0, n * sample);
    return { images, shape: [n, size, size, 3], labels, ids };
  }

  /** Data counts, issues, conversions and where decoding runs. */
  get report(): DatasetReport {
    const counts = new Int32Array(this.numClasses);
    for (const l of this.cleanLabels) counts[l] = (counts[l] as number) + 1;
    const emptyClasses = this.classNames.filter((_, i) => counts[i] === 0);
    return {
      examples: this.labels.length,
      classes: this.numClasses,
      emptyClasses,
      issues: this.issueLog.issues,
      issueCounts: this.issueLog.summary(),
      conversions: { ...this.conversions },
      decoding: this.poolState?.mode ?? 'not started',
      workers: this.poolState?.workerCount ?? 0,
      batchesSubmitted: this.poolState?.submitted ?? 0,
    };
  }

  /** Stops the decode workers and closes files. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool).close();
  }
}
