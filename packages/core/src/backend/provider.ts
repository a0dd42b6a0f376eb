/**
 * The seam between `@fr/core` and the backend packages. A backend provider knows how to make one
 * tfjs backend usable (import it, initialise it, register the training kernels @fr adds), says why
 * not when it cannot, and answers what method code may ask of that backend (its capabilities).
 * `@fr/backend-cpu`, `@fr/backend-wasm`, `@fr/backend-webgpu` and `@fr/backend-tensorflow` each
 * register one on import; core itself imports no backend.
 */

/** The backends of the `@fr/backend-*` packages; a registered provider may add others. */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
/** `auto`, a backend name, or the name of another registered provider. */
export type BackendChoice = 'auto' | BackendName | (string & {});

export interface BackendSetupOptions {
  /** wasm: thread count (default: all cores where threads work, else 1). */
  readonly threads?: number;
  /** wasm: where the `.wasm` binaries are served (browser); Node finds the package's own. */
  readonly wasmPaths?: string;
  /** webgpu: accept a software adapter (lavapipe, SwiftShader). Set when asked for by name. */
  readonly allowSoftwareAdapter?: boolean;
}

/** What was set up; logged once by `selectBackend`. */
export interface BackendDetails {
  /** The tfjs backend name registered and made current (the provider's `name`). */
  readonly name: string;
  readonly threads: number;
  /** Extra facts to log (SIMD, adapter, native library…). */
  readonly facts: Readonly<Record<string, string | number | boolean>>;
}

export type ProbeResult = { ok: true; details: BackendDetails } | { ok: false; reason: string };

/**
 * What method code may ask of a backend instead of testing its name. Query the current one with
 * `backendCapabilities()`.
 */
export interface BackendCapabilities {
  /**
   * Whether `dataSync()` / `arraySync()` read this backend's tensors in this runtime. Plugin hooks
   * are synchronous, so a hook that needs host values reads this way (webgpu in Node cannot:
   * it has no OffscreenCanvas).
   */
  readonly readsSync: boolean;
  /**
   * Errors the device reported asynchronously since the last call (WebGPU's `uncapturederror`:
   * invalid GPU work does not throw, its results read back as zeros), and forgets them. The trainer
   * calls it after every step's read-back and stops the step when it is not empty. `[]` for
   * backends whose errors throw.
   */
  drainDeviceErrors(): string[];
}

/**
 * One backend, as a backend package registers it with `registerBackendProvider`.
 * @example
 * ```ts
 * import { registerBackendProvider, tf, type BackendProvider } from '@fr/core';
 *
 * const myProvider: BackendProvider = {
 *   name: 'my-backend', priority: 5, readsSync: true,
 *   drainDeviceErrors: () => [],
 *   async setup() {
 *     return (await tf.setBackend('my-backend'))
 *       ? { ok: true, details: { name: 'my-backend', threads: 1, facts: {} } }
 *       : { ok: false, reason: 'tf.setBackend("my-backend") failed' };
 *   },
 * };
 * registerBackendProvider(myProvider);
 * ```
 */
export interface BackendProvider extends BackendCapabilities {
  /**
   * The name `selectBackend` and `FR_BACKEND` accept, which is also the name of the tfjs backend
   * the provider registers (so that `tf.setBackend(name)` done elsewhere still finds the provider).
   */
  readonly name: string;
  /** Order for `auto`: higher first (tensorflow 40, webgpu 30, wasm 20, cpu 10). */
  readonly priority: number;
  /**
   * Imports, initialises and activates the backend, or explains why it cannot. `auto` is true when
   * `selectBackend('auto')` is trying candidates. Should not throw; a throw is taken as the reason.
   */
  setup(options: BackendSetupOptions, auto: boolean): Promise<ProbeResult>;
}
