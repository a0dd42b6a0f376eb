import { tf } from '../tf.js';
import { isNode } from './environment.js';
import type { BackendProvider } from './provider.js';

/**
 * libtensorflow through `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`: optional peer
 * dependencies (their install downloads native libraries, so @fr never requires them).
 */
export const tensorflowProvider: BackendProvider = {
  name: 'tensorflow',
  async setup() {
    if (!isNode()) return { ok: false, reason: 'only available in Node.js' };
    const reasons: string[] = [];
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await import(/* @vite-ignore */ pkg);
      } catch (error) {
        reasons.push(`${pkg} is not installed or failed to load (${firstLine(error)})`);
        continue;
      }
      if (tf.findBackend('tensorflow') == null || !(await tf.setBackend('tensorflow'))) {
        reasons.push(`${pkg} loaded but registered no usable "tensorflow" backend (is its tfjs-core version 4.22.0?)`);
        continue;
      }
      return { ok: true, details: { name: 'tensorflow', threads: 0, facts: { package: pkg, gpu: pkg.endsWith('-gpu') } } };
    }
    return { ok: false, reason: reasons.join('; ') };
  },
};

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
