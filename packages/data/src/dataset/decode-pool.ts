/**
 * The prefetch pool: decodes batches in worker threads while the training step runs on the main
 * thread, with an in-thread fallback when workers cannot start (bundled code, no worker file, no
 * tsx for unbuilt sources) or crash (their unfinished jobs are re-run in-thread).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorMessage, type LogSink } from '../errors.js';
import { decodeBatch, type BatchJob, type BatchResult } from './decode-batch.js';
import type { FromWorker, ToWorker } from './decode-worker.js';
import { RecordFileCache } from './image-ref.js';

export interface DecodePoolOptions {
  /** Worker threads; 0 decodes in the calling thread. Default: logical CPUs − 1 (at least 1). */
  readonly workers?: number;
  /** Where startup problems are reported (default `console.warn`; `null` silences). */
  readonly log?: LogSink;
  /** Override the worker script (a built `decode-worker.js`). */
  readonly workerUrl?: URL;
  /** How long a worker may take to start before the pool falls back (default 60 s). */
  readonly startTimeoutMs?: number;
}

/** The default worker count: one core is left for the training step. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

interface WorkerSlot {
  readonly worker: Worker;
  readonly pending: Map<number, { job: BatchJob; resolve: (r: BatchResult) => void; reject: (e: Error) => void }>;
  alive: boolean;
}

/** Locates the worker script: the built `.js` next to this module, else the `.ts` source (run through tsx). */
function locateWorker(): { url: URL; typescript: boolean } | undefined {
  const here = import.meta.url;
  if (!here || !here.startsWith('file:')) return undefined;
  const js = new URL('./decode-worker.js', here);
  if (existsSync(fileURLToPath(js))) return { url: js, typescript: false };
  const ts = new URL('./decode-worker.ts', here);
  if (existsSync(fileURLToPath(ts))) return { url: ts, typescript: true };
  return undefined;
}

/** tsx's ESM module-hook API (its `import` export), to run the TypeScript worker from sources; absent in production installs. */
function locateTsx(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } | string }> };
    const entry = manifest.exports?.['./esm/api']?.import;
    const file = typeof entry === 'string' ? entry : entry?.default;
    return file ? pathToFileURL(join(dirname(manifestPath), file)).href : undefined;
  } catch {
    return undefined;
  }
}

// Runs in the worker: registers tsx's hooks, then imports the TypeScript entry.
const TSX_BOOTSTRAP = `
import('node:worker_threads').then(async ({ workerData }) => {
  const api = await import(workerData.tsx);
  (api.register ?? api.default.register)();
  await import(workerData.entry);
});
`;

/**
 * A pool of decode workers with in-thread fallback.
 *
 * @example
 * ```ts
 * const pool = await DecodePool.create({ workers: 1 });
 * const result = await pool.run(job);
 * await pool.close();
 * ```
 */
export class DecodePool {
  private readonly slots: WorkerSlot[] = [];
  private readonly local = new RecordFileCache();
  private nextId = 1;
  private closed = false;
  private submittedJobs = 0;

  private constructor(private readonly log: LogSink) {}

  /** Starts the workers (resolves once they are ready, or once the pool has fallen back). */
  static async create(options: DecodePoolOptions = {}): Promise<DecodePool> {
    const log = options.log === undefined ? console.warn : options.log;
    const pool = new DecodePool(log);
    const count = options.workers ?? defaultWorkerCount();
    if (count <= 0) return pool;
    const located = options.workerUrl ? { url: options.workerUrl, typescript: options.workerUrl.pathname.endsWith('.ts') } : locateWorker();
    if (!located) {
      log?.('[fr/data] decode worker script not found next to the package code (bundled?); decoding in the main thread');
      return pool;
    }
    const tsx = located.typescript ? locateTsx() : undefined;
    if (located.typescript && !tsx) {
      log?.('[fr/data] running from TypeScript sources without tsx installed: decoding in the main thread (build the package to use workers)');
      return pool;
    }
    const timeout = options.startTimeoutMs ?? 60_000;
    const started = await Promise.allSettled(Array.from({ length: count }, () => pool.startWorker(located.url, tsx, timeout)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      log?.(`[fr/data] decode workers failed to start (${errorMessage(failed.reason)}); decoding in the main thread`);
      await pool.terminateAll();
    }
    return pool;
  }

  private startWorker(url: URL, tsx: string | undefined, timeoutMs: number): Promise<void> {
    const worker = tsx
      ? new Worker(TSX_BOOTSTRAP, { eval: true, workerData: { tsx, entry: url.href } })
      : new Worker(url);
    const slot: WorkerSlot = { worker, pending: new Map(), alive: false };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready message within ${timeoutMs} ms`)), timeoutMs);
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          clearTimeout(timer);
          slot.alive = true;
          worker.unref();
          resolve();
          return;
        }
        const entry = slot.pending.get(msg.id);
        if (!entry) return;
        slot.pending.delete(msg.id);
        if (slot.pending.size === 0) worker.unref();
        if (msg.type === 'result') entry.resolve(msg.result);
        else entry.reject(new Error(msg.message));
      });
      const lost = (why: string): void => {
        clearTimeout(timer);
        const wasAlive = slot.alive;
        slot.alive = false;
        if (!wasAlive) {
          reject(new Error(why));
          return;
        }
        if (this.closed) return;
        // A crashed worker's unfinished batches are decoded here instead.
        if (slot.pending.size > 0) this.log?.(`[fr/data] a decode worker stopped (${why}); re-running its ${slot.pending.size} batch(es) in the main thread`);
        for (const [id, entry] of slot.pending) {
          slot.pending.delete(id);
          decodeBatch(entry.job, this.local).then(entry.resolve, entry.reject);
        }
      };
      worker.on('error', (e) => lost(errorMessage(e)));
      worker.on('exit', (code) => lost(`exit code ${code}`));
    });
  }

  /** `workers` when at least one worker thread is decoding, else `in-thread`. */
  get mode(): 'workers' | 'in-thread' {
    return this.slots.some((s) => s.alive) ? 'workers' : 'in-thread';
  }

  /** Batches handed to {@link DecodePool.run} so far. */
  get submitted(): number {
    return this.submittedJobs;
  }

  /** Number of live worker threads. */
  get workerCount(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  /** Decodes one batch on the least busy worker, or here when none is alive. */
  run(job: BatchJob): Promise<BatchResult> {
    if (this.closed) return Promise.reject(new Error('DecodePool is closed'));
    this.submittedJobs++;
    let best: WorkerSlot | undefined;
    for (const s of this.slots) if (s.alive && (!best || s.pending.size < best.pending.size)) best = s;
    if (!best) return decodeBatch(job, this.local);
    const slot = best;
    const id = this.nextId++;
    return new Promise<BatchResult>((resolve, reject) => {
      slot.pending.set(id, { job, resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ type: 'job', id, job } satisfies ToWorker);
    });
  }

  private async terminateAll(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (s) => {
        s.alive = false;
        for (const entry of s.pending.values()) entry.reject(new Error('DecodePool closed'));
        s.pending.clear();
        await s.worker.terminate();
      }),
    );
  }

  /** Stops the workers and closes open files. Pending batches are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.terminateAll();
    this.local.close();
  }
}
