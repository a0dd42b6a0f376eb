import type { Backbone, Preprocessing } from '@fr/core';
import { VERSION } from './version.js';

/** Pixel mean and std of each normalisation (x − mean) / std, per RGB channel. */
const MEAN_STD: Record<Preprocessing['normalization'], { mean: number; std: number }> = {
  minus1to1: { mean: 127.5, std: 127.5 },
  mxnet: { mean: 127.5, std: 128 },
};

export interface ContractOptions {
  /** How the input tensor is laid out in the exported file. */
  readonly layout: 'NCHW' | 'NHWC';
  /** Where the model came from (a path, a run name); written as `source` in the recipe. */
  readonly source?: string;
  /** Extra facts about how it was trained, written into the recipe JSON. */
  readonly recipe?: Readonly<Record<string, unknown>>;
}

/**
 * The preprocessing contract of a backbone as flat string metadata (ONNX `metadata_props`, a
 * GraphModel's `userDefinedMetadata`): what a consumer must feed the exported model. Keys:
 * `input_size`, `input_layout`, `color_order`, `normalization`, `mean`, `std` (0–255 pixel
 * units, per channel in `color_order`), `embedding_size`, `embedding_normalization`,
 * `architecture`, `fr.config` (JSON that rebuilds the @fr backbone) and `fr.recipe` (JSON:
 * producer, source, parameter count, caller's recipe).
 *
 * @example
 * ```ts
 * contractMetadata(backbone, { layout: 'NCHW' }).mean; // "127.5,127.5,127.5"
 * ```
 */
export function contractMetadata(backbone: Backbone, options: ContractOptions): Record<string, string> {
  const p = backbone.preprocessing;
  const { mean, std } = MEAN_STD[p.normalization];
  const s = p.inputSize;
  return {
    architecture: backbone.name,
    input_size: String(s),
    input_layout: options.layout,
    input_shape: JSON.stringify(options.layout === 'NCHW' ? ['batch', 3, s, s] : ['batch', s, s, 3]),
    color_order: p.colorOrder,
    normalization: p.normalization,
    mean: [mean, mean, mean].join(','),
    std: [std, std, std].join(','),
    embedding_size: String(backbone.embeddingSize),
    embedding_normalization: p.embeddingNormalization,
    'fr.config': JSON.stringify(backbone.config),
    'fr.recipe': JSON.stringify({
      producer: `@fr/interop ${VERSION}`,
      ...(options.source !== undefined ? { source: options.source } : {}),
      parameterCount: backbone.module.parameterCount(),
      ...(options.recipe ?? {}),
    }),
  };
}
