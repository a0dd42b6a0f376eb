/**
 * onnxruntime-node, an optional peer: loaded at run time with a dynamic `import()`, so nothing
 * needs it unless an ONNX model is actually run (evaluation, benchmarks, tests).
 */

/** The parts of onnxruntime's API used here. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
export interface OrtModule {
  readonly InferenceSession: {
    create(model: Uint8Array | string, options?: { intraOpNumThreads?: number; interOpNumThreads?: number; graphOptimizationLevel?: string }): Promise<OrtSession>;
  };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

let cached: Promise<OrtModule> | null = null;

/**
 * Imports `onnxruntime-node`, or explains how to install it.
 *
 * @example
 * ```ts
 * const ort = await loadOnnxRuntime();
 * const session = await ort.InferenceSession.create('model.onnx');
 * ```
 */
export function loadOnnxRuntime(): Promise<OrtModule> {
  cached ??= (async () => {
    const name = 'onnxruntime-node'; // a variable: bundlers must not try to resolve this optional peer
    try {
      const module = (await import(/* @vite-ignore */ name)) as OrtModule & { default?: OrtModule };
      return module.InferenceSession ? module : (module.default as OrtModule);
    } catch (error) {
      cached = null;
      throw new Error(`onnxruntime-node is not installed (an optional peer dependency of @fr/interop): npm install onnxruntime-node (${error instanceof Error ? error.message : String(error)})`);
    }
  })();
  return cached;
}

/** An ONNX face-embedding model in onnxruntime-node. */
export interface OnnxEmbedder {
  /** Raw embeddings `[batch, E]` of NCHW float32 input `[batch, 3, S, S]`. */
  embed(nchw: Float32Array, batch: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface OnnxEmbedderOptions {
  /** Intra-op threads (default: onnxruntime's, all cores). */
  readonly threads?: number;
  /** Square input side (for the input shape). */
  readonly inputSize: number;
}

/**
 * Opens an ONNX model (bytes or a file path) in onnxruntime-node for embedding: its first input
 * is fed NCHW float32, its first output read back.
 */
export async function createOnnxEmbedder(model: Uint8Array | string, options: OnnxEmbedderOptions): Promise<OnnxEmbedder> {
  const ort = await loadOnnxRuntime();
  const session = await ort.InferenceSession.create(model, options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {});
  const input = session.inputNames[0] as string;
  const output = session.outputNames[0] as string;
  const s = options.inputSize;
  return {
    async embed(nchw, batch) {
      if (nchw.length !== batch * 3 * s * s) throw new Error(`expected ${batch}×3×${s}×${s} values, got ${nchw.length}`);
      const result = await session.run({ [input]: new ort.Tensor('float32', nchw, [batch, 3, s, s]) });
      return Float32Array.from((result[output] as OrtTensor).data as Float32Array);
    },
    async release() {
      await session.release?.();
    },
  };
}
