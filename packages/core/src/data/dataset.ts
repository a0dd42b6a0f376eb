/**
 * The contract between data sources and the trainer. Batches are host memory (typed arrays):
 * decoding and augmentation can run anywhere (a worker thread, a browser) and the trainer owns the
 * only upload to the backend.
 */

/** One batch on the host: NHWC float32 pixels already normalised for the backbone, and labels. */
export interface HostBatch {
  /** Length `B·H·W·3`, row-major NHWC. */
  readonly images: Float32Array;
  /** `[B, H, W, 3]`. */
  readonly shape: readonly [number, number, number, number];
  /** Class index per image, each in `[0, numClasses)`. */
  readonly labels: Int32Array;
  /** Optional source identifiers (file paths, record ids), used in logs and error messages. */
  readonly ids?: readonly string[];
}

export interface BatchRequest {
  /** 0-based epoch. The order of an epoch is a pure function of (seed, epoch). */
  readonly epoch: number;
  readonly seed: number;
  readonly batchSize: number;
  /** Skip the first `fromBatch` batches of the epoch (used when resuming mid-epoch). */
  readonly fromBatch: number;
  /** Drop the last incomplete batch (default true in training). */
  readonly dropLast: boolean;
}

/**
 * A labelled training set. Implementations must be deterministic: the same request yields the
 * same batches, so that a resumed run sees exactly the data the interrupted one would have.
 */
export interface TrainingDataset {
  readonly numClasses: number;
  /** Number of examples in one epoch. */
  readonly size: number;
  /** Capabilities the batches offer plugins, e.g. `batch:m-per-class` from an m-per-class sampler. */
  readonly provides?: readonly string[];
  /** The batches of one epoch, in order. */
  batches(request: BatchRequest): AsyncIterable<HostBatch>;
  /** Releases workers and file handles. */
  close?(): Promise<void>;
}
