/**
 * Run a piece of tensor work on the cpu backend, whatever backend is current.
 *
 * Complex tensors (`tf.complex`, `tf.spectral.fft` / `rfft` / `irfft`, `tf.real`, `tf.imag`) have no
 * wasm kernels and no gradients on any backend, so FFT-based work (e.g. DPAP-style frequency
 * features) runs on cpu and hands real-valued results back.
 */
import '@tensorflow/tfjs-backend-cpu';
import { tf } from '@fr/core';

/**
 * Runs `fn` with the cpu backend current, inside `tf.tidy` (intermediates are freed), then makes
 * the previous backend current again and moves the returned tensors onto it, so they are ready for
 * the caller's next op there.
 *
 * Synchronous: switching to an already initialised backend completes inside `tf.setBackend`'s
 * synchronous part, which this relies on and checks. Input tensors from the other backend are
 * copied over lazily by tfjs when `fn` reads them (and back again when used there later).
 *
 * Nothing inside `fn` is differentiable through this call on purpose: FFT/complex kernels have no
 * gradients anywhere. Returned tensors must be real (`float32`, `int32`, `bool`): take `tf.real`,
 * `tf.imag` or `tf.abs` of complex results inside `fn`.
 *
 * @param fn Work to run on cpu; returns a tensor, or an array / object of tensors.
 * @returns What `fn` returned, with its tensors on the backend that was current before the call.
 * @throws If `fn` throws (the previous backend is restored first), or returns a complex tensor.
 * @example
 * ```ts
 * import { runOnCpu } from '@fr/backend-cpu';
 * // wasm has no complex kernels: the FFT round trip runs on cpu, the result comes back to wasm.
 * const smoothed = runOnCpu(() => tf.spectral.irfft(tf.spectral.rfft(signal)));
 * ```
 */
export function runOnCpu<T extends tf.TensorContainer>(fn: () => T): T {
  const previous = tf.getBackend();
  if (previous === 'cpu') return tf.tidy(fn);
  // Initialise cpu now (synchronous backend) so that switching to it cannot go asynchronous.
  if (tf.engine().findBackend('cpu') == null) throw new Error('runOnCpu: the cpu backend is not registered');
  switchBackendNow('cpu');
  let result: T;
  try {
    result = tf.tidy(fn);
  } finally {
    switchBackendNow(previous);
  }
  const tensors = tf.tensor_util.getTensorsInContainer(result);
  const complex = tensors.filter((t) => t.dtype === 'complex64' || t.dtype === 'string');
  if (complex.length > 0) {
    tf.dispose(tensors);
    throw new Error(`runOnCpu: fn returned a ${complex[0]!.dtype} tensor, which cannot move to '${previous}'; return tf.real/tf.imag/tf.abs of it instead`);
  }
  const target = tf.engine().findBackend(previous);
  for (const t of tensors) {
    // Move now rather than at first use, so the cpu copy is freed immediately. A tensor already on
    // the target (fn returned an input) or sharing data with one moved before is left alone.
    if (target != null && !t.isDisposed && target.refCount(t.dataId) === 0) tf.engine().moveData(target, t.dataId);
  }
  return result;
}

/** Makes an initialised backend current without awaiting (tf.setBackend only awaits initialisation). */
function switchBackendNow(name: string): void {
  tf.setBackend(name).catch(() => undefined); // a failure is reported by the check below
  if (tf.getBackend() !== name) throw new Error(`runOnCpu: could not switch to the '${name}' backend synchronously`);
}
