/**
 * Makes tfjs-backend-wasm's threaded SIMD build start under Node's `worker_threads` (tfjs ships it
 * for browsers only). No tfjs file is modified: Node's `Worker` class is wrapped before the backend
 * initialises (emscripten reads `require('worker_threads').Worker` when its factory runs), and the
 * core count is reported as 2×threads while it does. Measured on a quiet 2-core machine: conv 3×3
 * on [32,56,56,64] 246 → 122 ms, matmul 256×512×4096 38 → 18 ms with 2 threads instead of 1.
 *
 * The four interventions (see the package README, "Threads"):
 * 1. tfjs hands `new Worker()` a Blob URL of the worker script, which Node rejects: the same
 *    source (exported by the package) is evaluated instead;
 * 2. the worker `importScripts()` the main script from a Blob: it gets the package's real file;
 * 3. emscripten `ref()`s the worker that runs a pool thread, so Node never exits: the pool only
 *    computes while the main thread waits on it, so the workers stay unref'd;
 * 4. the C++ caps the pool at `emscripten_num_logical_cores() / 2` (1 thread on 2 cores).
 */
import { isNode } from '@fr/core';

interface NodeModules {
  readonly os: typeof import('node:os');
  readonly path: typeof import('node:path');
  readonly workerThreads: typeof import('node:worker_threads');
  readonly require: NodeJS.Require;
}

let installed: { readonly mainScript: string } | null = null;

async function nodeModules(): Promise<NodeModules> {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  // The CommonJS module objects: emscripten's `require('worker_threads')` sees the same object.
  return { os: require('node:os'), path: require('node:path'), workerThreads: require('node:worker_threads'), require };
}

/**
 * Wraps `worker_threads.Worker` so that tfjs-backend-wasm's threaded build can start its pool in
 * Node (interventions 1–3 above). Idempotent; other workers are created unchanged.
 */
async function installWorkerShim(m: NodeModules): Promise<void> {
  if (installed) return;
  const pkgDir = m.path.dirname(m.require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainScript = m.path.join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const workerModule = m.require(m.path.join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents?: string };
  if (typeof workerModule.wasmWorkerContents !== 'string') {
    throw new Error(`@tensorflow/tfjs-backend-wasm at ${pkgDir} does not export wasmWorkerContents from its threaded worker script (version changed?)`);
  }
  // tfjs escapes newlines before making its Blob; the evaluated source must match that.
  const workerSource = workerModule.wasmWorkerContents.replace(/\n/g, '\\n');
  const NodeWorker = m.workerThreads.Worker;
  class TfjsWasmWorker extends NodeWorker {
    constructor(url: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const fromTfjs = typeof url === 'string' && (url.startsWith('blob:') || url.endsWith('.worker.js'));
      super(fromTfjs ? workerSource : url, fromTfjs ? { ...options, eval: true } : options);
      if (fromTfjs) this.unref();
      this.fromTfjs = fromTfjs;
    }

    private readonly fromTfjs: boolean;

    override ref(): void {
      if (!this.fromTfjs) super.ref();
    }

    override postMessage(message: unknown, transfer?: readonly import('node:worker_threads').Transferable[]): void {
      const msg = message as { cmd?: string; urlOrBlob?: unknown } | null;
      const patched = this.fromTfjs && msg?.cmd === 'load' && typeof msg.urlOrBlob !== 'string' ? { ...msg, urlOrBlob: mainScript } : message;
      super.postMessage(patched, transfer);
    }
  }
  (m.workerThreads as { Worker: unknown }).Worker = TfjsWasmWorker;
  installed = { mainScript };
}

/**
 * Runs `init` (which must initialise the wasm backend) with the threaded build enabled for Node and
 * the pool sized to `threads`; outside Node, or for one thread, it just runs `init`.
 */
export async function withNodeWasmThreads<T>(threads: number, init: () => Promise<T>): Promise<T> {
  if (!isNode() || threads <= 1) return init();
  const m = await nodeModules();
  await installWorkerShim(m);
  // (4) the pool is capped at half the logical cores: report 2×threads while it is created.
  const realCpus = m.os.cpus;
  const one = realCpus()[0];
  (m.os as { cpus: unknown }).cpus = () => Array.from({ length: 2 * threads }, () => one);
  try {
    return await init();
  } finally {
    (m.os as { cpus: unknown }).cpus = realCpus;
  }
}
