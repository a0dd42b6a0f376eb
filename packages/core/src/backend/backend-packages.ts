/**
 * The `@fr/backend-*` packages `selectBackend` loads in Node when they are installed. In a browser
 * the app imports the one it wants (`import '@fr/backend-wasm'`): a bundler cannot follow an
 * import whose specifier is chosen at run time.
 */
import { isNode } from './environment.js';
import { importOptional } from './optional-import.js';
import { findBackendProvider } from './registry.js';
import type { BackendName } from './provider.js';

/** Backend name → the package that registers its provider, in `auto`'s order. */
export const BACKEND_PACKAGES: Readonly<Record<BackendName, string>> = {
  tensorflow: '@fr/backend-tensorflow',
  webgpu: '@fr/backend-webgpu',
  wasm: '@fr/backend-wasm',
  cpu: '@fr/backend-cpu',
};

export const isKnownBackend = (name: string): name is BackendName => Object.hasOwn(BACKEND_PACKAGES, name);

const loading = new Map<string, Promise<string | null>>();

/**
 * Makes sure the provider of backend `name` is registered: imports its package in Node when it is
 * not (once per process). Resolves to null when the provider is there, else to the reason it is not.
 */
export function loadBackendPackage(name: BackendName): Promise<string | null> {
  if (findBackendProvider(name)) return Promise.resolve(null);
  const pkg = BACKEND_PACKAGES[name];
  if (!isNode()) return Promise.resolve(`${pkg} is not imported (a browser app imports the backends it uses: import '${pkg}')`);
  let pending = loading.get(name);
  if (!pending) {
    pending = importOptional(pkg).then((result) => {
      if (!result.ok) return result.missing ? `${pkg} is not installed (npm i ${pkg})` : result.reason;
      return findBackendProvider(name) ? null : `${pkg} loaded but registered no "${name}" provider with this copy of @fr/core (are two versions of @fr/core installed?)`;
    });
    loading.set(name, pending);
  }
  return pending;
}
