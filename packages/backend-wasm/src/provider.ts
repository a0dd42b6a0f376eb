import { getThreadsCount, setThreadsCount, setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { cpuCount, errorFirstLine, isNode, tf, type BackendProvider } from '@fr/core';
import { registerWasmTrainingKernels } from './kernels/index.js';
import { loadSimdKernels } from './kernels/simd/module.js';
import { withNodeWasmThreads } from './node-threads.js';

async function packageWasmDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + path.sep + 'dist' + path.sep;
}

/**
 * The wasm thread count: `options.threads`, else env `FR_WASM_THREADS`, else every logical core.
 * Throws on a value that is not a positive integer, naming where it came from.
 */
export async function wasmThreadCount(requested: number | undefined): Promise<number> {
  const env = isNode() ? process.env.FR_WASM_THREADS : undefined;
  const [value, source] = requested !== undefined ? [requested, 'the threads option'] : env !== undefined && env.trim() !== '' ? [Number(env), `FR_WASM_THREADS="${env}"`] : [await cpuCount(), 'the core count'];
  if (!Number.isInteger(value) || value < 1) throw new Error(`wasm threads: ${source} must be a positive integer, got ${String(value)}`);
  return value;
}

/**
 * tfjs' WebAssembly backend (XNNPACK, SIMD). It ships without several training kernels; @fr
 * registers them (see `kernels/`) before the backend is used, and loads its own SIMD kernels
 * (`simd/`). With more than one thread it runs the threaded SIMD build — in Node through the
 * worker shim of `node-threads.ts` — and @fr's kernels get worker threads too. Reads are
 * synchronous (the data is on the wasm heap); errors throw.
 */
export const wasmProvider: BackendProvider = {
  name: 'wasm',
  priority: 20,
  readsSync: true,
  drainDeviceErrors: () => [],
  async setup(options) {
    try {
      if (options.wasmPaths) setWasmPaths(options.wasmPaths);
      else if (isNode()) setWasmPaths(await packageWasmDir());
      const threads = await wasmThreadCount(options.threads);
      // tfjs probes for SharedArrayBuffer + atomics; one thread must not load the threaded build.
      if (threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      else if (isNode()) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      setThreadsCount(threads);
      registerWasmTrainingKernels();
      if (!(await withNodeWasmThreads(threads, () => tf.setBackend('wasm')))) return { ok: false, reason: 'tf.setBackend("wasm") failed to initialise' };
      // @fr's own SIMD kernels, compiled once asynchronously (browsers refuse large synchronous compiles).
      await loadSimdKernels(tf.backend() as BackendWasm, getThreadsCount());
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      return { ok: true, details: { name: 'wasm', threads: getThreadsCount(), facts: { simd } } };
    } catch (error) {
      return { ok: false, reason: errorFirstLine(error) };
    }
  },
};
