import type { BackendProvider } from './provider.js';

/** WebGPU (Dawn in Node via the `webgpu` package, `navigator.gpu` in browsers). */
export const webgpuProvider: BackendProvider = {
  name: 'webgpu',
  async setup() {
    return { ok: false, reason: 'WebGPU support is being added' };
  },
};
