import { readFileSync } from 'node:fs';

/** Fixture data and comparisons with no @fr import (graph-model.test.ts must load none). */

/** packages/interop/test/fixtures, written by scripts/make_fixtures.py from PyTorch. */
export const FIXTURES = new URL('../fixtures/', import.meta.url);

export interface Encoded {
  readonly shape: number[];
  readonly data: string;
}

export interface ReferenceModel {
  readonly architecture: string;
  readonly options: Record<string, unknown>;
  readonly files: string[];
  /** NCHW float32 in [-1, 1]. */
  readonly input: Encoded;
  /** The torch twin's eval-mode embedding of `input`. */
  readonly embedding: Encoded;
}

export const reference = JSON.parse(readFileSync(new URL('reference.json', FIXTURES), 'utf8')) as {
  models: Record<'iresnet' | 'mobilefacenet' | 'transface' | 'iresnet-torch2onnx', ReferenceModel>;
};

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, FIXTURES)));
}

export function decode(e: Encoded): Float32Array {
  const b = Buffer.from(e.data, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Row-wise L2 normalisation of a `[B, E]` float array. */
export function normalizeRows(values: ArrayLike<number>, rows: number): Float32Array {
  const out = Float32Array.from(values);
  const width = out.length / rows;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let i = 0; i < width; i++) sum += (out[r * width + i] as number) ** 2;
    const norm = Math.sqrt(sum) || 1;
    for (let i = 0; i < width; i++) out[r * width + i] = (out[r * width + i] as number) / norm;
  }
  return out;
}

/** max |a − b| after L2-normalising each row of both (the round-trip criterion, ≤ 1e-4). */
export function maxNormalizedDiff(a: ArrayLike<number>, b: ArrayLike<number>, rows: number): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  const x = normalizeRows(a, rows);
  const y = normalizeRows(b, rows);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  return worst;
}

