import type { Preprocessing } from '@fr/core';
import type { FieldSpecs } from './options.js';

/** Options every architecture accepts (all optional when creating a backbone). */
export interface CommonOptions {
  /** Square input side in pixels. */
  readonly inputSize: number;
  readonly embeddingSize: number;
  /** Channel order the network was trained on (default `rgb`). */
  readonly colorOrder: Preprocessing['colorOrder'];
  /** Pixel normalisation the network was trained with (default `minus1to1`: x/127.5 − 1). */
  readonly normalization: Preprocessing['normalization'];
}

/**
 * The JSON every backbone config shares. Configs are always stored fully resolved (every default
 * written out), so a saved model rebuilds identically even if a later version changes a default.
 */
export interface BackboneConfig extends CommonOptions {
  /** Registry name, e.g. `iresnet50`, `mobilefacenet`, `vit_s`. */
  readonly architecture: string;
  readonly [key: string]: unknown;
}

/** Option fields every architecture shares (the name is fixed per registry entry). */
export const commonFields = (architecture: string, defaults: { inputSize: number; embeddingSize: number }): FieldSpecs => ({
  architecture: { type: 'literal', value: architecture },
  inputSize: { type: 'int', default: defaults.inputSize, min: 8 },
  embeddingSize: { type: 'int', default: defaults.embeddingSize, min: 1 },
  colorOrder: { type: 'enum', default: 'rgb', values: ['rgb', 'bgr'] },
  normalization: { type: 'enum', default: 'minus1to1', values: ['minus1to1', 'mxnet'] },
});

/** The preprocessing contract implied by a config. */
export function preprocessingOf(config: BackboneConfig): Preprocessing {
  return {
    inputSize: config.inputSize,
    colorOrder: config.colorOrder,
    normalization: config.normalization,
    embeddingNormalization: 'l2',
  };
}
