/**
 * A backend provider knows how to make one tfjs backend usable (import it, initialise it, register
 * the training kernels @fr adds) and says why not when it cannot.
 */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

export interface BackendSetupOptions {
  /** wasm: thread count (default: all cores where threads work, else 1). */
  readonly threads?: number;
  /** wasm: where the `.wasm` binaries are served (browser); Node finds the package's own. */
  readonly wasmPaths?: string;
  /** webgpu: accept a software adapter (lavapipe, SwiftShader). Set when asked for by name. */
  readonly allowSoftwareAdapter?: boolean;
  /**
   * webgpu: the `WebGPUBackend` class of `@tensorflow/tfjs-backend-webgpu`. In a browser bundle
   * pass it (`import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu'`): a bundler cannot
   * follow @fr's optional dynamic import. In Node it is imported on demand.
   */
  readonly webgpuBackendClass?: unknown;
}

/** What was set up; logged once by {@link selectBackend}. */
export interface BackendDetails {
  /** The tfjs backend name registered and made current. */
  readonly name: BackendName;
  readonly threads: number;
  /** Extra facts to log (SIMD, adapter, native library…). */
  readonly facts: Readonly<Record<string, string | number | boolean>>;
}

export type ProbeResult = { ok: true; details: BackendDetails } | { ok: false; reason: string };

export interface BackendProvider {
  readonly name: BackendName;
  /** Imports, initialises and activates the backend, or explains why it cannot. Never throws. */
  setup(options: BackendSetupOptions, auto: boolean): Promise<ProbeResult>;
}
