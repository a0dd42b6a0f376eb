import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { errorFirstLine, isNode, tf, type BackendProvider } from '@fr/core';
import { registerWasmTrainingKernels } from './kernels/index.js';

async function packageWasmDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + path.sep + 'dist' + path.sep;
}

/**
 * tfjs' WebAssembly backend (XNNPACK, SIMD). It ships without several training kernels; @fr
 * registers them (see `kernels/`) before the backend is used. Reads are synchronous (the data
 * is on the wasm heap); errors throw.
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
      // The threaded build hands Blob URLs to `new Worker`, which Node's worker_threads rejects:
      // in Node use the single-threaded SIMD build (the second core decodes images instead).
      const threads = isNode() ? 1 : Math.max(1, options.threads ?? 1);
      if (isNode()) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      else setThreadsCount(threads);
      registerWasmTrainingKernels();
      if (!(await tf.setBackend('wasm'))) return { ok: false, reason: 'tf.setBackend("wasm") failed to initialise' };
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      return { ok: true, details: { name: 'wasm', threads, facts: { simd } } };
    } catch (error) {
      return { ok: false, reason: errorFirstLine(error) };
    }
  },
};
