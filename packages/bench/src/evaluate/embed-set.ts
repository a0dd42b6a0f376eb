import type { Backbone } from '@fr/core';
import type { VerificationSet } from '@fr/data';
import type { DenseMatrix } from '../eval/matrix.js';
import { backboneEngine, isEngine, type EmbeddingEngine } from './embedding-engine.js';

export interface EmbedSetOptions {
  /** Images per forward pass (default 64). */
  readonly batchSize?: number;
  /** Also embed the mirrored images (insightface's "Accuracy-Flip"; default true). */
  readonly flip?: boolean;
  /** Decode worker threads (default 1). */
  readonly workers?: number;
  /**
   * Embed each distinct image once and copy its rows to every pair that uses it (default true: the
   * same embeddings, CelebA's 3000 pairs in 661 images instead of 6000); false embeds all 2N.
   */
  readonly distinct?: boolean;
  /** Called after each batch with the images embedded so far and the number to embed. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SetEmbeddings {
  /** Raw (un-normalised) embeddings `(2N, d)`: rows 2k, 2k+1 are pair k. */
  readonly embeddings: DenseMatrix;
  /** Raw embeddings of the mirrored images, or null without `flip`. */
  readonly flipped: DenseMatrix | null;
}

/**
 * Raw embeddings of every image of a verification set (and of its mirror images), computed in
 * evaluation mode with the model's own preprocessing contract, for the insightface protocol
 * (`evaluateVerification` sums the two, then normalises). Each image is decoded once; the mirror
 * pass reuses the decoded batch. The model is an @fr backbone (tfjs) or any
 * {@link EmbeddingEngine} (e.g. an ONNX file in onnxruntime-node).
 * @example
 * ```ts
 * const set = VerificationSet.fromPairs('orl-faces/pairs.txt', 'orl-faces');
 * const { embeddings, flipped } = await embedVerificationSet(backbone, set);
 * const result = evaluateVerification(embeddings, set.issame, { flipped });
 * ```
 */
export async function embedVerificationSet(model: Backbone | EmbeddingEngine, set: VerificationSet, options: EmbedSetOptions = {}): Promise<SetEmbeddings> {
  const engine = isEngine(model) ? model : backboneEngine(model);
  const flip = options.flip ?? true;
  const distinct = options.distinct ?? true;
  const { inputSize, colorOrder, normalization } = engine.preprocessing;
  const rows = set.size * 2;
  const embedded = distinct ? set.distinct.refs.length : rows;
  const cols = engine.embeddingSize;
  const plain = new Float32Array(embedded * cols);
  const mirrored = flip ? new Float32Array(embedded * cols) : null;
  let done = 0;
  for await (const batch of set.batches({ batchSize: options.batchSize ?? 64, inputSize, colorOrder, normalization, workers: options.workers ?? 1, distinct })) {
    const out = await engine.embed(batch.images, batch.shape as [number, number, number, number], flip);
    plain.set(out.plain, batch.first * cols);
    if (mirrored && out.mirrored) mirrored.set(out.mirrored, batch.first * cols);
    done += batch.shape[0];
    options.onProgress?.(done, embedded);
  }
  const pairRows = (data: Float32Array): DenseMatrix => ({ data: distinct ? expandRows(data, set.distinct.index, cols) : data, rows, cols });
  return { embeddings: pairRows(plain), flipped: mirrored ? pairRows(mirrored) : null };
}

/** Row i of the result is row `index[i]` of `data`. */
function expandRows(data: Float32Array, index: Int32Array, cols: number): Float32Array {
  const out = new Float32Array(index.length * cols);
  index.forEach((from, i) => out.set(data.subarray(from * cols, (from + 1) * cols), i * cols));
  return out;
}
