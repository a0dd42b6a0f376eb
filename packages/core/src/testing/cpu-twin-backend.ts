/**
 * A backend for tests of capability-driven code: tfjs' cpu backend under another name, with a
 * provider that declares the capabilities the test wants. Code that asks `backendCapabilities()`
 * follows the declared capabilities; code that tested backend names would not know the name.
 */
import { tf } from '../tf.js';
import type { BackendProvider } from '../backend/provider.js';
import { registerBackendProvider } from '../backend/registry.js';

export interface CpuTwinOptions {
  /** Declared `readsSync` (the backend itself can always read synchronously). */
  readonly readsSync: boolean;
  /** Device errors to report, e.g. a queue the test fills (default: none). */
  readonly drainDeviceErrors?: () => string[];
  /** `auto` priority (default -1: never before a real backend). */
  readonly priority?: number;
}

/**
 * Registers tfjs backend `name` (a new instance of the cpu backend's class, with every cpu kernel)
 * and a provider for it with the given capabilities; `selectBackend(name)` then activates it.
 * Needs the cpu backend registered (`import '@fr/backend-cpu'`).
 * @example
 * ```ts
 * import '@fr/backend-cpu';
 * import { registerCpuTwinBackend } from '@fr/core/testing';
 * registerCpuTwinBackend('no-sync-reads', { readsSync: false });
 * await selectBackend('no-sync-reads');
 * expect(backendCapabilities().readsSync).toBe(false); // plugins must take their device path
 * ```
 */
export function registerCpuTwinBackend(name: string, options: CpuTwinOptions): BackendProvider {
  if (name === 'cpu') throw new Error('registerCpuTwinBackend: the twin needs a name of its own, not "cpu"');
  const cpu = tf.engine().findBackend('cpu');
  if (cpu == null) throw new Error(`registerCpuTwinBackend("${name}"): the cpu backend is not registered (import '@fr/backend-cpu' first)`);
  if (tf.findBackendFactory(name) == null) {
    const CpuBackend = cpu.constructor as new () => tf.KernelBackend;
    tf.registerBackend(name, () => new CpuBackend());
    for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: name });
  }
  const provider: BackendProvider = {
    name,
    priority: options.priority ?? -1,
    readsSync: options.readsSync,
    drainDeviceErrors: options.drainDeviceErrors ?? (() => []),
    async setup() {
      return (await tf.setBackend(name))
        ? { ok: true, details: { name, threads: 1, facts: { twinOf: 'cpu' } } }
        : { ok: false, reason: `tf.setBackend("${name}") failed` };
    },
  };
  registerBackendProvider(provider);
  return provider;
}
