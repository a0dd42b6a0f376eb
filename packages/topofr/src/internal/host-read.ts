import { tf } from '@fr/core';

/** Backends whose `dataSync()` works everywhere (cpu and wasm in Node and browsers, tfjs-node). */
export const SYNC_READ_BACKENDS: readonly string[] = ['cpu', 'wasm', 'tensorflow'];

/** True when the current backend reads tensors synchronously without a GPU round trip that may fail. */
export function backendReadsSynchronously(): boolean {
  return SYNC_READ_BACKENDS.includes(tf.getBackend());
}

/**
 * `t.dataSync()`, with an error that says what to do when the backend cannot read synchronously
 * (WebGPU in Node has no synchronous read-back). Plugin hooks are synchronous, so a hook that
 * needs host values must read this way.
 */
export function readHost(t: tf.Tensor, who: string): Float32Array | Int32Array | Uint8Array {
  try {
    return t.dataSync() as Float32Array | Int32Array | Uint8Array;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${who} needs tensor values on the host inside a synchronous hook, and the '${tf.getBackend()}' backend cannot read synchronously (${reason}). ` +
      `Train on a backend with synchronous reads (${SYNC_READ_BACKENDS.join(', ')}).`,
    );
  }
}
