import { tf } from '../tf.js';
import '@tensorflow/tfjs-backend-cpu';
import type { BackendProvider } from './provider.js';
import { registerCpuTrainingKernels } from './cpu-kernels/index.js';

/** The pure-JS reference backend: slow, exact, deterministic; always available. */
export const cpuProvider: BackendProvider = {
  name: 'cpu',
  async setup() {
    registerCpuTrainingKernels();
    const ok = await tf.setBackend('cpu');
    return ok
      ? { ok: true, details: { name: 'cpu', threads: 1, facts: {} } }
      : { ok: false, reason: 'tf.setBackend("cpu") failed' };
  },
};
