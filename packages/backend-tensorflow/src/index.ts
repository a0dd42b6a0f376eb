/**
 * @fr/backend-tensorflow — the `tensorflow` backend for @fr in Node: libtensorflow through
 * `@tensorflow/tfjs-node-gpu` (CUDA) or `@tensorflow/tfjs-node` (CPU), whichever is installed
 * (optional peers: their install downloads native libraries). Importing this package registers
 * the provider with `@fr/core`; the native package loads when the backend is selected.
 * @example
 * ```ts
 * // npm i @fr/backend-tensorflow @tensorflow/tfjs-node-gpu
 * import '@fr/backend-tensorflow';
 * import { selectBackend } from '@fr/core';
 * await selectBackend('tensorflow');
 * ```
 * @packageDocumentation
 */
import { registerBackendProvider } from '@fr/core';
import { tensorflowProvider } from './provider.js';

registerBackendProvider(tensorflowProvider);

export { tensorflowProvider } from './provider.js';
