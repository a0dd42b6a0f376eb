/**
 * The single place @fr imports TensorFlow.js from.
 *
 * `@tensorflow/tfjs-core` on its own registers no gradient functions, so training code would fail
 * with "gradient function not found for …". Importing this module registers all of tfjs-core's
 * gradients once (the registry is process-global, so every @fr package and user code share it),
 * from a module generated out of tfjs-core's own gradient files that imports only tfjs-core's
 * public entry (see `scripts/build-tfjs-gradients.mjs`): tfjs-core's per-file ESM cannot be
 * loaded by Node, tsx or CommonJS.
 */
import * as tf from '@tensorflow/tfjs-core';
import './generated/tfjs-gradients.js';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Scalar, Variable, Rank } from '@tensorflow/tfjs-core';
