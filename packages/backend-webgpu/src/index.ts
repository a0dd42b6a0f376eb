/**
 * @fr/backend-webgpu — tfjs' WebGPU backend for @fr, in browsers (`navigator.gpu`) and in Node
 * (Dawn's bindings, the optional peer `webgpu`, on a Vulkan driver). Importing it registers the
 * `webgpu` backend provider with `@fr/core`; @fr's precise `Acos` and chunked `AddN` kernels are
 * registered when the backend is set up. `auto` uses a hardware adapter only.
 * @example
 * ```ts
 * // browser app: import the backends you use (a lazy import keeps WebGPU out of the main chunk)
 * import '@fr/backend-wasm';
 * import { selectBackend } from '@fr/core';
 * if ('gpu' in navigator) await import('@fr/backend-webgpu');
 * await selectBackend('auto', { wasmPaths: '/wasm/' }); // webgpu on a hardware adapter, else wasm
 * ```
 * @packageDocumentation
 */
import { registerBackendProvider } from '@fr/core';
import { webgpuProvider } from './provider.js';

registerBackendProvider(webgpuProvider);

export { webgpuProvider } from './provider.js';
export { probeWebGPUAdapter, type WebGPUProbeResult, type WebGPUAdapterProbe } from './setup.js';
export { describeAdapter, type AdapterFacts, type AdapterInfoLike } from './adapter.js';
export { registerWebGPUKernels, FR_WEBGPU_KERNELS } from './kernels.js';
