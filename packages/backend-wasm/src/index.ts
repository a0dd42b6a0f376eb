/**
 * @fr/backend-wasm — tfjs' WebAssembly backend for @fr, made able to train: the convolution,
 * depthwise, gather and pooling gradients tfjs-backend-wasm lacks, and faster versions of the
 * slow ones. Importing it registers the `wasm` backend provider with `@fr/core` (and the `cpu`
 * one, through `@fr/backend-cpu`, whose kernels serve as fallbacks), so `selectBackend('wasm')`
 * and `auto` can use it.
 * @example
 * ```ts
 * import '@fr/backend-wasm';
 * import { selectBackend } from '@fr/core';
 * await selectBackend('wasm', { wasmPaths: '/wasm/' }); // browsers: where the .wasm files are served
 * ```
 * @packageDocumentation
 */
import '@fr/backend-cpu';
import { registerBackendProvider } from '@fr/core';
import { wasmProvider } from './provider.js';

registerBackendProvider(wasmProvider);

export { wasmProvider } from './provider.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './kernels/index.js';
