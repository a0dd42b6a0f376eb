import { tf } from '../tf.js';
import { cpuProvider } from './cpu.js';
import { readEnv } from './environment.js';
import type { BackendChoice, BackendDetails, BackendName, BackendProvider, BackendSetupOptions } from './provider.js';
import { tensorflowProvider } from './tensorflow.js';
import { wasmProvider } from './wasm.js';
import { webgpuProvider } from './webgpu.js';

/** The order `auto` tries. A software WebGPU adapter is never accepted by `auto`. */
const AUTO_ORDER: readonly BackendProvider[] = [tensorflowProvider, webgpuProvider, wasmProvider, cpuProvider];
const PROVIDERS: Readonly<Record<BackendName, BackendProvider>> = {
  tensorflow: tensorflowProvider,
  webgpu: webgpuProvider,
  wasm: wasmProvider,
  cpu: cpuProvider,
};
const CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

export interface SelectBackendOptions extends BackendSetupOptions {
  /** Where the one-line choice is reported (default `console.info`; pass `null` to stay quiet). */
  readonly log?: ((line: string) => void) | null;
}

/** The backend that was chosen, and why each earlier candidate was skipped. */
export interface BackendInfo extends BackendDetails {
  readonly requested: BackendChoice;
  readonly skipped: readonly { readonly backend: BackendName; readonly reason: string }[];
}

let current: BackendInfo | null = null;

/** The result of the last {@link selectBackend}, or null. */
export function currentBackend(): BackendInfo | null {
  return current && tf.getBackend() === current.name ? current : null;
}

/**
 * Chooses and initialises the tfjs backend. `choice` defaults to env `FR_BACKEND`, then `auto`:
 * tensorflow (tfjs-node-gpu, then tfjs-node, when installed) → webgpu with a hardware adapter →
 * wasm → cpu. A backend named explicitly must work, or this throws with the reason.
 */
export async function selectBackend(choice?: BackendChoice | string, options: SelectBackendOptions = {}): Promise<BackendInfo> {
  const requested = (choice ?? readEnv('FR_BACKEND') ?? 'auto').trim().toLowerCase() as BackendChoice;
  if (!CHOICES.includes(requested)) {
    throw new Error(`Unknown backend "${choice ?? readEnv('FR_BACKEND')}" (from ${choice ? 'the option' : 'FR_BACKEND'}); expected one of: ${CHOICES.join(', ')}`);
  }
  // tfjs prints a "use tfjs-node" banner from the cpu backend; @fr reports its own choice instead.
  tf.env().set('PROD', true);
  const skipped: { backend: BackendName; reason: string }[] = [];
  const auto = requested === 'auto';
  const candidates = auto ? AUTO_ORDER : [PROVIDERS[requested]];
  const setupOptions: BackendSetupOptions = { ...options, allowSoftwareAdapter: options.allowSoftwareAdapter ?? !auto };
  for (const provider of candidates) {
    const result = await provider.setup(setupOptions, auto);
    if (result.ok) {
      current = { ...result.details, requested, skipped };
      const log = options.log === undefined ? console.info : options.log;
      log?.(describeBackend(current));
      return current;
    }
    skipped.push({ backend: provider.name, reason: result.reason });
  }
  const why = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  throw new Error(`Backend "${requested}" is not available here (${why})`);
}

/** One log line: chosen backend, threads, facts, and why earlier choices were skipped. */
export function describeBackend(info: BackendInfo): string {
  const facts = Object.entries(info.facts).map(([k, v]) => `${k}=${v}`);
  const threads = info.threads > 0 ? [`threads=${info.threads}`] : [];
  const skipped = info.skipped.length > 0 ? ` (skipped ${info.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})` : '';
  return `[fr] backend ${info.name}${[...threads, ...facts].length ? ' ' + [...threads, ...facts].join(' ') : ''}, requested ${info.requested}${skipped}`;
}
