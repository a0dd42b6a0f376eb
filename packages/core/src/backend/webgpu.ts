import type { BackendProvider } from './provider.js';
import { isNode } from './environment.js';
import { activateWebGPU, probeWebGPUAdapter } from './webgpu/setup.js';

export { probeWebGPUAdapter, type WebGPUProbeResult } from './webgpu/setup.js';
export type { AdapterFacts } from './webgpu/adapter.js';

/**
 * WebGPU through tfjs-backend-webgpu: Dawn's Node bindings (the `webgpu` package) in Node,
 * `navigator.gpu` in browsers. Both packages are optional peers, imported only when webgpu is
 * asked for or probed by `auto`. `auto` never takes a software adapter (lavapipe/llvmpipe,
 * SwiftShader): those are for correctness tests and are used only when webgpu is named.
 * See `webgpu/README.md`.
 */
export const webgpuProvider: BackendProvider = {
  name: 'webgpu',
  async setup(options, auto) {
    const probe = await probeWebGPUAdapter(options.webgpuBackendClass);
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
