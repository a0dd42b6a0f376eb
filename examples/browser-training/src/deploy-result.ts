/** What the deploy page leaves in `window.__frDeploy` when it is done (read by the test). */
export interface DeployResult {
  readonly ok: boolean;
  readonly error?: string;
  /** Model input side and embedding width. */
  readonly inputSize: number;
  readonly embeddingSize: number;
  /** L2-normalised embeddings of the face. */
  readonly onnx: number[];
  readonly graph: number[];
  /** cos(onnx, graph). */
  readonly cosine: number;
  /** The normalised NHWC pixels both runtimes were fed (for the test to recompute in Node). */
  readonly pixels: number[];
  readonly seconds: number;
}
