/**
 * The single place @fr imports TensorFlow.js from.
 *
 * `@tensorflow/tfjs-core` on its own registers no gradient functions, so training code would fail
 * with "gradient function not found for …". Importing this module registers all of tfjs-core's
 * gradients once (the registry is process-global, so every @fr package and user code share it).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Scalar, Variable, Rank } from '@tensorflow/tfjs-core';
