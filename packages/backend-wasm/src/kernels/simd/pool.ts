/**
 * Threads for @fr's SIMD kernels. tfjs' own pool runs only XNNPACK's operators; with the threaded
 * build (a shared heap) in Node, @fr starts `threads − 1` worker threads that instantiate the same
 * SIMD module on the same memory, so a kernel can hand slices of its work to them: each worker
 * waits on its own slot of a small shared control block (Atomics.wait: no CPU while idle), runs
 * one exported function with the arguments written there, and signals back. The calling thread
 * does its own slice meanwhile, then waits for the others. Without shared memory, outside Node or
 * with one thread, every call runs on the calling thread.
 *
 * The functions only read and write the tensors they are given (the module owns no memory), so
 * slices with disjoint outputs can run at the same time.
 */
import type { SimdExports } from './module.js';

/** One call of an exported kernel: its name and numeric arguments (pointers, sizes, floats). */
export interface SimdCall {
  readonly fn: keyof SimdExports;
  readonly args: readonly number[];
}

const MAX_ARGS = 24;
/** Int32 slots per worker: [sequence, function index, argument count, done sequence]. */
const SLOTS = 4;
const QUIT = -1;
/** Written to a worker's argument-count slot when its call threw (a trap: a bug). */
const FAILED = -2;

/** The worker's code (CommonJS, evaluated): instantiate, then serve calls until told to quit. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { memory, bytes, control, index, names } = workerData;
const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const ctl = new Int32Array(control, index * ${SLOTS * 4}, ${SLOTS});
const args = new Float64Array(control, workerData.argsOffset + index * ${MAX_ARGS * 8}, ${MAX_ARGS});
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  const fn = ctl[1];
  if (fn === ${QUIT}) break;
  try {
    exports[names[fn]](...Array.from(args.subarray(0, ctl[2])));
  } catch (error) {
    ctl[2] = ${FAILED};
  }
  Atomics.store(ctl, 3, seen);
  Atomics.notify(ctl, 3);
}
`;

export class SimdPool {
  private readonly control: SharedArrayBuffer | null;
  private readonly slots: Int32Array[] = [];
  private readonly argViews: Float64Array[] = [];
  private readonly workers: { terminate(): Promise<number> }[] = [];
  private readonly names: readonly (keyof SimdExports)[];

  private constructor(
    private readonly exports: SimdExports,
    workerCount: number,
  ) {
    this.names = Object.keys(exports).filter((k) => typeof (exports as unknown as Record<string, unknown>)[k] === 'function') as (keyof SimdExports)[];
    this.control = workerCount > 0 ? new SharedArrayBuffer(workerCount * (SLOTS * 4 + MAX_ARGS * 8)) : null;
    for (let i = 0; i < workerCount; i++) {
      this.slots.push(new Int32Array(this.control!, i * SLOTS * 4, SLOTS));
      this.argViews.push(new Float64Array(this.control!, workerCount * SLOTS * 4 + i * MAX_ARGS * 8, MAX_ARGS));
    }
  }

  /** A pool that runs everything on the calling thread. */
  static serial(exports: SimdExports): SimdPool {
    return new SimdPool(exports, 0);
  }

  /**
   * A pool with `threads − 1` Node worker threads on `memory` (which must be shared), each with
   * its own instance of the module in `bytes`. Resolves once every worker is ready.
   */
  static async start(exports: SimdExports, bytes: Uint8Array, memory: WebAssembly.Memory, threads: number): Promise<SimdPool> {
    const pool = new SimdPool(exports, Math.max(0, threads - 1));
    if (pool.control == null) return pool;
    const { Worker } = await import('node:worker_threads');
    const argsOffset = pool.slots.length * SLOTS * 4;
    await Promise.all(
      pool.slots.map((_, index) => new Promise<void>((resolve, reject) => {
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, bytes, control: pool.control, index, argsOffset, names: pool.names } });
        worker.unref(); // idle workers must not keep Node running
        worker.once('message', () => resolve());
        worker.once('error', reject);
        pool.workers.push(worker);
      })),
    );
    return pool;
  }

  /** The module's functions on the calling thread. */
  exportsOf(): SimdExports {
    return this.exports;
  }

  /** Threads that run calls: the workers plus the calling thread. */
  get threads(): number {
    return this.slots.length + 1;
  }

  /**
   * Runs the calls, up to {@link threads} at a time (the calling thread takes the last of each
   * round), and returns when all are done. Calls must not write the same memory.
   */
  run(calls: readonly SimdCall[]): void {
    for (let start = 0; start < calls.length; start += this.threads) {
      const round = calls.slice(start, start + this.threads);
      const mine = round.pop()!;
      const sent = round.map((call, i) => this.send(i, call));
      let failure: unknown = null;
      try {
        this.call(mine);
      } catch (error) {
        failure = error;
      }
      // Every worker finishes before anything returns (the caller may free what they write).
      sent.forEach((seq, i) => {
        try {
          this.wait(i, seq);
        } catch (error) {
          failure ??= error;
        }
      });
      if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
    }
  }

  private call(c: SimdCall): void {
    (this.exports[c.fn] as (...a: number[]) => void)(...c.args);
  }

  private send(worker: number, c: SimdCall): number {
    if (c.args.length > MAX_ARGS) throw new Error(`SimdPool: ${c.fn} has ${c.args.length} arguments, at most ${MAX_ARGS} fit`);
    const ctl = this.slots[worker]!;
    this.argViews[worker]!.set(c.args);
    ctl[1] = this.names.indexOf(c.fn);
    ctl[2] = c.args.length;
    const seq = Atomics.add(ctl, 0, 1) + 1;
    Atomics.notify(ctl, 0);
    return seq;
  }

  private wait(worker: number, seq: number): void {
    const ctl = this.slots[worker]!;
    for (let done = Atomics.load(ctl, 3); done !== seq; done = Atomics.load(ctl, 3)) Atomics.wait(ctl, 3, done, 60_000);
    if (ctl[2] === FAILED) throw new Error(`@fr wasm SIMD kernels: ${this.names[ctl[1]!]} failed in worker thread ${worker + 1}`);
  }

  /** Stops the workers. */
  async dispose(): Promise<void> {
    this.slots.forEach((ctl) => {
      ctl[1] = QUIT;
      Atomics.add(ctl, 0, 1);
      Atomics.notify(ctl, 0);
    });
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

/**
 * `count` items cut into at most `parts` contiguous ranges of at least `minPerPart` items (fewer
 * ranges when there is little work): `[start, end)` pairs covering 0..count.
 */
export function splitRange(count: number, parts: number, minPerPart: number): [number, number][] {
  const n = Math.max(1, Math.min(parts, Math.floor(count / Math.max(1, minPerPart))));
  const out: [number, number][] = [];
  for (let k = 0; k < n; k++) out.push([Math.floor((k * count) / n), Math.floor(((k + 1) * count) / n)]);
  return out.filter(([a, b]) => b > a || count === 0).slice(0, Math.max(1, n));
}
