import type { Preprocessing } from '@fr/core';
import { OnnxGraph } from './onnx-graph.js';

/** What a consumer needs to feed an ONNX face model. */
export interface OnnxModelInfo {
  readonly inputName: string;
  readonly outputName: string;
  /** Square input side. */
  readonly inputSize: number;
  readonly embeddingSize: number;
  readonly preprocessing: Preprocessing;
  /** @fr architecture name when the file says (exported by @fr), else null. */
  readonly architecture: string | null;
  /** Whether the preprocessing came from the file's metadata or is arcface_torch's convention (RGB, x/127.5 − 1). */
  readonly preprocessingFrom: 'metadata' | 'arcface_torch default';
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Reads an ONNX model's input/output and preprocessing contract: `metadata_props` written by
 * {@link exportOnnx}, else arcface_torch's convention (NCHW RGB, x/127.5 − 1) with the input
 * size of the graph's input shape.
 *
 * @example
 * ```ts
 * const info = onnxModelInfo(await readFile('r50.onnx'), 'r50.onnx'); // { inputSize: 112, … }
 * ```
 */
export function onnxModelInfo(bytes: Uint8Array, source = '<onnx>'): OnnxModelInfo {
  const g = new OnnxGraph(bytes, source);
  const m = g.metadata;
  const inputSize = Number(m.input_size ?? g.inputSize() ?? NaN);
  if (!Number.isInteger(inputSize)) throw new Error(`${source}: the input has no fixed size [batch, 3, S, S] and no input_size metadata`);
  const out = (g.model.graph?.output ?? [])[0]?.type?.tensor_type?.shape?.dim ?? [];
  const last = out[out.length - 1];
  const embeddingSize = Number(m.embedding_size ?? (last?.dim_value !== undefined ? Number(last.dim_value) : NaN));
  const fromMetadata = m.color_order !== undefined && m.normalization !== undefined;
  return {
    inputName: g.input,
    outputName: g.output,
    inputSize,
    embeddingSize,
    preprocessing: {
      inputSize,
      colorOrder: (m.color_order as Preprocessing['colorOrder'] | undefined) ?? 'rgb',
      normalization: (m.normalization as Preprocessing['normalization'] | undefined) ?? 'minus1to1',
      embeddingNormalization: 'l2',
    },
    architecture: m.architecture ?? null,
    preprocessingFrom: fromMetadata ? 'metadata' : 'arcface_torch default',
    metadata: m,
  };
}
