import type { tf } from '@fr/core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * Identity that shares the input's buffer (a reference count, as wasm's own Reshape does) instead
 * of copying it. tfjs clones every tensor a gradient will need when it records the tape, so on wasm
 * each training step copied most of its activations once more: memory and time for nothing, since
 * tensors are immutable.
 */
export function identity({ inputs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = inputs['x'] as tf.TensorInfo;
  (backend as unknown as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
