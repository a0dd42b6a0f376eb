import { isNode, type BackendProvider } from '@fr/core';
import { activateWebGPU, deviceErrors, probeWebGPUAdapter } from './setup.js';

/**
 * WebGPU through tfjs-backend-webgpu: Dawn's Node bindings (the optional peer `webgpu`) in Node,
 * `navigator.gpu` in browsers. `auto` never takes a software adapter (lavapipe/llvmpipe,
 * SwiftShader): those are for correctness tests and are used only when webgpu is named.
 *
 * Capabilities: no synchronous reads, in any runtime. In Node tfjs cannot read the GPU
 * synchronously at all (no OffscreenCanvas); in browsers it can, through an OffscreenCanvas
 * round trip that tfjs itself warns is slow, and that left Chromium's SwiftShader device unusable
 * for the next upload in the browser example's test. Method code therefore takes its device path.
 * Device errors are the device's `uncapturederror` events.
 */
export const webgpuProvider: BackendProvider = {
  name: 'webgpu',
  priority: 30,
  readsSync: false,
  drainDeviceErrors: () => deviceErrors.drain(),
  async setup(options, auto) {
    const probe = await probeWebGPUAdapter();
    if (!probe.ok) return probe;
    const { software, name } = probe.facts;
    if (software && auto) {
      return { ok: false, reason: `software adapter ${name} is used only when asked for by name (${isNode() ? 'FR_BACKEND=webgpu or ' : ''}selectBackend('webgpu'))` };
    }
    if (software && !options.allowSoftwareAdapter) {
      return { ok: false, reason: `software adapter ${name} refused (allowSoftwareAdapter is false)` };
    }
    return activateWebGPU(probe);
  },
};
