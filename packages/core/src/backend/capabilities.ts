import { tf } from '../tf.js';
import type { BackendCapabilities } from './provider.js';
import { findBackendProvider } from './registry.js';

/** The current backend's capabilities, and which backend and provider answered. */
export interface CurrentBackendCapabilities extends BackendCapabilities {
  /** The current tfjs backend (`tf.getBackend()`). */
  readonly backend: string;
  /** Whether a registered provider answered; false: the conservative answer below. */
  readonly known: boolean;
}

/** For a tfjs backend no provider registered (e.g. `webgl`, set with `tf.setBackend`). */
const UNKNOWN: BackendCapabilities = { readsSync: false, drainDeviceErrors: () => [] };

/**
 * What the current tfjs backend can do, for method code that must choose a path (a host path
 * that reads with `dataSync()`, or a device path of tensor ops) without naming backends.
 *
 * The provider is looked up by the current tfjs backend's name, so this also answers after a plain
 * `tf.setBackend('cpu')`, as long as the backend's package was imported. A backend no provider
 * registered gets the conservative answer: `readsSync: false` (device paths work everywhere) and
 * no device errors to drain.
 * @example
 * ```ts
 * import { backendCapabilities } from '@fr/core';
 * const onHost = backendCapabilities().readsSync; // cpu, wasm, tensorflow; webgpu only in browsers
 * ```
 */
export function backendCapabilities(): CurrentBackendCapabilities {
  const backend = tf.getBackend();
  const provider = backend ? findBackendProvider(backend) : undefined;
  const source = provider ?? UNKNOWN;
  return { backend, known: provider != null, readsSync: source.readsSync, drainDeviceErrors: () => source.drainDeviceErrors() };
}
