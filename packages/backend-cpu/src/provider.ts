import '@tensorflow/tfjs-backend-cpu';
import { tf, type BackendProvider } from '@fr/core';
import { registerCpuTrainingKernels } from './kernels/index.js';

/**
 * The pure-JS reference backend: slow, exact, deterministic, available everywhere. Reads are
 * synchronous; errors throw.
 */
export const cpuProvider: BackendProvider = {
  name: 'cpu',
  priority: 10,
  readsSync: true,
  drainDeviceErrors: () => [],
  async setup() {
    registerCpuTrainingKernels();
    const ok = await tf.setBackend('cpu');
    return ok
      ? { ok: true, details: { name: 'cpu', threads: 1, facts: {} } }
      : { ok: false, reason: 'tf.setBackend("cpu") failed' };
  },
};
