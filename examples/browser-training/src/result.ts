/** What the page publishes as `window.__frResult` when it finishes (read by the test). */
export interface PageResult {
  readonly ok: boolean;
  /** The backend `selectBackend` chose, or null if it failed. */
  readonly backend: string | null;
  readonly requested: string;
  /** `selectBackend`'s facts (wasm: simd; webgpu: adapter, vendor, architecture, software). */
  readonly facts: Readonly<Record<string, string | number | boolean>>;
  /**
   * `backendCapabilities()` for the chosen backend, and whether a synchronous read of a tensor the
   * backend computed gave the right value (checked only where `readsSync` says it works).
   */
  readonly capabilities: CapabilitiesReport | null;
  /** Why each earlier backend was skipped. */
  readonly skipped: readonly { readonly backend: string; readonly reason: string }[];
  /** What `navigator.gpu.requestAdapter()` returned here, whether or not it was used. */
  readonly adapter: AdapterReport;
  /** wasm: threads actually running (tfjs `getThreadsCount()`), and whether the page is cross-origin isolated. */
  readonly wasmThreads: number | null;
  readonly crossOriginIsolated: boolean;
  readonly requestedSteps: number;
  readonly batchSize: number;
  readonly inputSize: number;
  readonly parameters: number;
  readonly steps: readonly StepRow[];
  /** Seconds from the trainer's start to its end event. */
  readonly trainSeconds: number;
  /** Seconds from page script start to the end. */
  readonly totalSeconds: number;
  readonly error: string | null;
}

export interface StepRow {
  readonly step: number;
  readonly loss: number;
  readonly imagesPerSecond: number;
  readonly stepSeconds: number;
  readonly gradNorm: number;
  readonly lr: number;
  readonly numTensors: number;
}

export type AdapterReport =
  | { readonly available: false; readonly reason: string }
  | {
      readonly available: true;
      readonly vendor: string;
      readonly architecture: string;
      readonly device: string;
      readonly description: string;
      readonly isFallbackAdapter: boolean | null;
    };

export interface CapabilitiesReport {
  readonly backend: string;
  readonly known: boolean;
  readonly readsSync: boolean;
  /** `dataSync()` of a 4096-element result computed on the backend equals the expected values; null when not tried. */
  readonly syncReadWorks: boolean | null;
}
