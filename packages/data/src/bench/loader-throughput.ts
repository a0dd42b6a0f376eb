/**
 * Loader throughput: images per second decoded and augmented (decode, resize, random flip,
 * normalise) by the ImageFolder loader — on one core (in-thread decoding) and in total with the
 * prefetch workers. Optionally the consumer simulates a training step that keeps the main thread
 * busy, to show how much decoding the workers hide behind it.
 */
import { availableParallelism } from 'node:os';
import type { LogSink } from '../errors.js';
import type { DecoderChoice } from '../image/decode.js';
import { defaultWorkerCount } from '../dataset/decode-pool.js';
import { ImageFolderDataset } from '../dataset/image-folder.js';

export interface LoaderThroughputOptions {
  /** An ImageFolder root, e.g. `../shared/data/celeba-crops`. */
  readonly root: string;
  readonly inputSize?: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Batches timed per measurement (default 20, after one warm-up batch). */
  readonly batches?: number;
  /** Worker threads for the prefetch measurement (default: CPUs − 1). */
  readonly workers?: number;
  readonly decoder?: DecoderChoice;
  /** Milliseconds of busy main thread per batch, standing in for a training step (default 0). */
  readonly simulatedStepMs?: number;
  readonly log?: LogSink;
}

/** One measurement. */
export interface ThroughputMeasurement {
  /** Wall-clock rate seen by the consumer. */
  readonly imagesPerSecond: number;
  /**
   * Images per CPU-second of this process (all threads): the cost of loading, independent of
   * other load on a shared machine.
   */
  readonly imagesPerCpuSecond: number;
  readonly images: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** `workers` or `in-thread`. */
  readonly decoding: string;
  readonly workers: number;
}

export interface LoaderThroughputResult {
  readonly root: string;
  readonly cpus: number;
  readonly inputSize: number;
  readonly batchSize: number;
  readonly decoder: DecoderChoice;
  readonly simulatedStepMs: number;
  /** In-thread decoding: the rate of one core (`imagesPerCpuSecond` is the contention-free figure). */
  readonly perCore: ThroughputMeasurement;
  /** Prefetch workers decoding while the consumer runs. */
  readonly total: ThroughputMeasurement;
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // a training step occupies the main thread
  }
}

async function measure(options: LoaderThroughputOptions, workers: number): Promise<ThroughputMeasurement> {
  const batchSize = options.batchSize ?? 64;
  const count = options.batches ?? 20;
  const ds = await ImageFolderDataset.open(options.root, {
    inputSize: options.inputSize ?? 112,
    decoder: options.decoder ?? 'js',
    randomFlip: true,
    validate: 'none',
    workers,
    log: options.log === undefined ? null : options.log,
  });
  try {
    const it = ds.batches({ epoch: 0, seed: 1, batchSize, fromBatch: 0, dropLast: true })[Symbol.asyncIterator]();
    await it.next(); // warm-up: workers started, JIT warm
    let images = 0;
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    for (let b = 0; b < count; b++) {
      const r = await it.next();
      if (r.done) break;
      images += r.value.shape[0];
      if (options.simulatedStepMs) busyWait(options.simulatedStepMs);
    }
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // The simulated step is busy-waiting, not loading: leave it out of the CPU cost.
    const cpuSeconds = Math.max(1e-9, (cpu.user + cpu.system) / 1e6 - (count * (options.simulatedStepMs ?? 0)) / 1000);
    await it.return?.(undefined);
    const report = ds.report;
    return { imagesPerSecond: images / seconds, imagesPerCpuSecond: images / cpuSeconds, images, seconds, cpuSeconds, decoding: report.decoding, workers: report.workers };
  } finally {
    await ds.close();
  }
}

/**
 * Measures the loader on `root`.
 *
 * @example
 * ```ts
 * const r = await measureLoaderThroughput({ root: '../shared/data/celeba-crops' });
 * console.log(`${r.perCore.imagesPerSecond.toFixed(0)} img/s per core, ${r.total.imagesPerSecond.toFixed(0)} with ${r.total.workers} workers`);
 * ```
 */
export async function measureLoaderThroughput(options: LoaderThroughputOptions): Promise<LoaderThroughputResult> {
  const perCore = await measure(options, 0);
  const total = await measure(options, options.workers ?? defaultWorkerCount());
  return {
    root: options.root,
    cpus: availableParallelism(),
    inputSize: options.inputSize ?? 112,
    batchSize: options.batchSize ?? 64,
    decoder: options.decoder ?? 'js',
    simulatedStepMs: options.simulatedStepMs ?? 0,
    perCore,
    total,
  };
}
