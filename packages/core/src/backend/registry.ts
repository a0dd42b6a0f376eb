/**
 * The backend providers known in this process. Backend packages register theirs on import; the
 * registry is kept on `globalThis` so that two copies of @fr/core (an ESM and a CJS import, or two
 * bundles) share it, as tfjs-core's engine is shared.
 */
import type { BackendProvider } from './provider.js';

const REGISTRY_KEY = Symbol.for('@fr/core/backend-providers');

function registry(): Map<string, BackendProvider> {
  const g = globalThis as { [REGISTRY_KEY]?: Map<string, BackendProvider> };
  return (g[REGISTRY_KEY] ??= new Map());
}

/**
 * Makes a backend available to `selectBackend` (and its capabilities to `backendCapabilities`).
 * A provider registered again under the same name replaces the earlier one.
 * @example
 * ```ts
 * import { registerBackendProvider } from '@fr/core';
 * registerBackendProvider(myProvider); // what `import '@fr/backend-wasm'` does with the wasm provider
 * ```
 */
export function registerBackendProvider(provider: BackendProvider): void {
  if (typeof provider?.name !== 'string' || provider.name === '' || provider.name === 'auto') {
    throw new Error(`registerBackendProvider: the provider needs a name other than "auto" (got ${JSON.stringify(provider?.name)})`);
  }
  for (const field of ['priority', 'readsSync', 'setup', 'drainDeviceErrors'] as const) {
    const want = field === 'priority' ? 'number' : field === 'readsSync' ? 'boolean' : 'function';
    if (typeof provider[field] !== want) throw new Error(`registerBackendProvider: provider "${provider.name}" has no ${field} (${want})`);
  }
  registry().set(provider.name, provider);
}

/**
 * The provider registered under `name` (the tfjs backend name it registers), if any.
 * @example
 * ```ts
 * import { findBackendProvider } from '@fr/core';
 * findBackendProvider('wasm')?.priority; // 20 once @fr/backend-wasm is imported
 * ```
 */
export function findBackendProvider(name: string): BackendProvider | undefined {
  return registry().get(name);
}

/** Every registered provider, highest priority first (the order `auto` tries them). */
export function backendProviders(): BackendProvider[] {
  return [...registry().values()].sort((a, b) => b.priority - a.priority);
}
