import type { Backbone } from '@fr/core';
import { importOnnx } from './onnx/import-onnx.js';
import { readPth } from './pth/pth.js';
import { readSafetensors } from './safetensors/safetensors.js';
import { backboneFromStateDict, type StateDictImportOptions } from './state-dict/torch-state-dict.js';

/** Formats {@link importBackbone} reads. */
export type ModelFileFormat = 'onnx' | 'pth' | 'safetensors';

export interface ImportBackboneOptions extends StateDictImportOptions {
  /** Default: from the file name's extension, else from the bytes (zip → pth, 8-byte header → safetensors, else ONNX). */
  readonly format?: ModelFileFormat;
  /** `.pth` only: the checkpoint key holding the state dict (default: see `readPth`). */
  readonly key?: string;
}

/** The format of a model file, from its name or, failing that, its first bytes. */
export function detectFormat(bytes: Uint8Array, name = ''): ModelFileFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith('.onnx')) return 'onnx';
  if (lower.endsWith('.safetensors')) return 'safetensors';
  if (lower.endsWith('.pth') || lower.endsWith('.pt') || lower.endsWith('.bin') || lower.endsWith('.ckpt')) return 'pth';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'pth'; // "PK": a zip
  if (bytes.length >= 9 && bytes[8] === 0x7b) return 'safetensors'; // header length, then "{"
  return 'onnx';
}

/**
 * Imports a model file from PyTorch or ONNX into a trainable @fr backbone (in evaluation mode):
 * arcface_torch `.pt`/`.pth` (read without executing pickle), `.safetensors`, or an ONNX graph
 * of an IResNet / MobileFaceNet. The architecture is inferred unless given.
 *
 * @example
 * ```ts
 * const backbone = importBackbone(await readFile('backbone.pth'), { source: 'backbone.pth' });
 * const trainer = createTrainer({ backbone, centers, margin, dataset, config });   // fine-tune it
 * ```
 */
export function importBackbone(bytes: Uint8Array, options: ImportBackboneOptions = {}): Backbone {
  const source = options.source ?? '<model>';
  const format = options.format ?? detectFormat(bytes, source);
  if (format === 'onnx') return importOnnx(bytes, options);
  const tensors = format === 'pth' ? readPth(bytes, source, { key: options.key }) : readSafetensors(bytes, source).tensors;
  return backboneFromStateDict(tensors, options);
}
