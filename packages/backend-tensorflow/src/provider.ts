import { importOptional, isNode, tf, type BackendProvider } from '@fr/core';

/** Tried in this order: the CUDA build first. Names in variables: optional peers, loaded on demand. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/**
 * libtensorflow through `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`: optional peer
 * dependencies (their install downloads native libraries, so @fr never requires them). Reads are
 * synchronous; errors throw.
 */
export const tensorflowProvider: BackendProvider = {
  name: 'tensorflow',
  priority: 40,
  readsSync: true,
  drainDeviceErrors: () => [],
  async setup() {
    if (!isNode()) return { ok: false, reason: 'only available in Node.js' };
    const reasons: string[] = [];
    for (const pkg of NATIVE_PACKAGES) {
      const loaded = await importOptional(pkg);
      if (!loaded.ok) {
        reasons.push(loaded.missing ? `${pkg} is not installed (npm i ${pkg})` : loaded.reason);
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
