import { tf } from '../tf.js';
import { BACKEND_PACKAGES, isKnownBackend, loadBackendPackage } from './backend-packages.js';
import { readEnv } from './environment.js';
import { errorFirstLine } from './optional-import.js';
import type { BackendChoice, BackendDetails, BackendName, BackendProvider, BackendSetupOptions } from './provider.js';
import { backendProviders, findBackendProvider } from './registry.js';

export interface SelectBackendOptions extends BackendSetupOptions {
  /** Where the one-line choice is reported (default `console.info`; pass `null` to stay quiet). */
  readonly log?: ((line: string) => void) | null;
}

/** The backend that was chosen, and why each earlier candidate was skipped. */
export interface BackendInfo extends BackendDetails {
  readonly requested: BackendChoice;
  readonly skipped: readonly { readonly backend: string; readonly reason: string }[];
}

let current: BackendInfo | null = null;

/** The result of the last {@link selectBackend}, or null. */
export function currentBackend(): BackendInfo | null {
  return current && tf.getBackend() === current.name ? current : null;
}

/** The names `selectBackend` accepts now: `auto`, the `@fr/backend-*` backends and any other registered provider. */
function choices(): string[] {
  const names = new Set<string>([...Object.keys(BACKEND_PACKAGES), ...backendProviders().map((p) => p.name)]);
  return ['auto', ...names];
}

async function trySetup(provider: BackendProvider, options: BackendSetupOptions, auto: boolean): Promise<ReturnType<BackendProvider['setup']>> {
  try {
    return await provider.setup(options, auto);
  } catch (error) {
    return { ok: false, reason: `setup threw: ${errorFirstLine(error)}` };
  }
}

/**
 * Chooses and initialises the tfjs backend. `choice` defaults to env `FR_BACKEND`, then `auto`:
 * every registered backend provider, highest priority first — tensorflow (tfjs-node-gpu, then
 * tfjs-node) → webgpu with a hardware adapter → wasm → cpu. A backend named explicitly must
 * work, or this throws with the reason.
 *
 * Backends come from the `@fr/backend-*` packages. In Node, the installed ones are imported here
 * when needed (a missing one is a skip reason saying what to install). In a browser bundle import
 * the ones you use before calling this: `import '@fr/backend-wasm'`.
 * @example
 * ```ts
 * import { selectBackend } from '@fr/core';
 * const info = await selectBackend('auto'); // logs e.g. "[fr] backend wasm threads=1 simd=true, requested auto (skipped …)"
 * ```
 */
export async function selectBackend(choice?: BackendChoice, options: SelectBackendOptions = {}): Promise<BackendInfo> {
  const raw = choice ?? readEnv('FR_BACKEND') ?? 'auto';
  const requested = raw.trim().toLowerCase();
  const auto = requested === 'auto';
  const skipped: { backend: string; reason: string }[] = [];
  if (auto) {
    for (const name of Object.keys(BACKEND_PACKAGES) as BackendName[]) {
      const missing = await loadBackendPackage(name);
      if (missing) skipped.push({ backend: name, reason: missing });
    }
  } else if (isKnownBackend(requested)) {
    const missing = await loadBackendPackage(requested);
    if (missing) skipped.push({ backend: requested, reason: missing });
  } else if (!findBackendProvider(requested)) {
    throw new Error(`Unknown backend "${raw}" (from ${choice ? 'the option' : 'FR_BACKEND'}); expected one of: ${choices().join(', ')}`);
  }
  // tfjs prints a "use tfjs-node" banner from the cpu backend; @fr reports its own choice instead.
  tf.env().set('PROD', true);
  const candidates = auto ? backendProviders() : [findBackendProvider(requested)].filter((p): p is BackendProvider => p != null);
  const setupOptions: BackendSetupOptions = { ...options, allowSoftwareAdapter: options.allowSoftwareAdapter ?? !auto };
  for (const provider of candidates) {
    const result = await trySetup(provider, setupOptions, auto);
    if (result.ok) {
      current = { ...result.details, requested, skipped };
      const log = options.log === undefined ? console.info : options.log;
      log?.(describeBackend(current));
      return current;
    }
    skipped.push({ backend: provider.name, reason: result.reason });
  }
  const why = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  const install = auto && candidates.length === 0 ? `. Install a backend package, e.g. npm i ${BACKEND_PACKAGES.wasm} (or import one in a browser app)` : '';
  throw new Error(`Backend "${requested}" is not available here (${why})${install}`);
}

/** One log line: chosen backend, threads, facts, and why earlier choices were skipped. */
export function describeBackend(info: BackendInfo): string {
  const facts = Object.entries(info.facts).map(([k, v]) => `${k}=${v}`);
  const threads = info.threads > 0 ? [`threads=${info.threads}`] : [];
  const skipped = info.skipped.length > 0 ? ` (skipped ${info.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})` : '';
  return `[fr] backend ${info.name}${[...threads, ...facts].length ? ' ' + [...threads, ...facts].join(' ') : ''}, requested ${info.requested}${skipped}`;
}
