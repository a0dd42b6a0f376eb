/**
 * @fr/backend-cpu — tfjs' pure-JS cpu backend for @fr, with faster filter-gradient kernels.
 * Importing it registers the `cpu` backend provider with `@fr/core` (and tfjs-backend-cpu's own
 * backend with tfjs), so `selectBackend('cpu')` can use it.
 * @example
 * ```ts
 * import '@fr/backend-cpu';
 * import { selectBackend } from '@fr/core';
 * await selectBackend('cpu');
 * ```
 * @packageDocumentation
 */
import { registerBackendProvider } from '@fr/core';
import { cpuProvider } from './provider.js';

registerBackendProvider(cpuProvider);

export { cpuProvider } from './provider.js';
export { registerCpuTrainingKernels, CPU_KERNELS } from './kernels/index.js';
export { runOnCpu } from './run-on-cpu.js';
export { registerCpuFallback, cpuFallbackKernel } from './cpu-fallback.js';
