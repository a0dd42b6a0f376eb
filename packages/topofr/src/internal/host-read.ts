import { backendCapabilities, tf } from '@fr/core';

/** True when the current backend reads tensors synchronously (its provider's `readsSync`). */
export function backendReadsSynchronously(): boolean {
  return backendCapabilities().readsSync;
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
      'Train on a backend that reads synchronously (backendCapabilities().readsSync from @fr/core says whether the current one does).',
    );
  }
}
