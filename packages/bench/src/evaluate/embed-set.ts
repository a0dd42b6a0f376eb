import { tf, Rng, type Backbone } from '@fr/core';
import type { VerificationSet } from '@fr/data';
import type { DenseMatrix } from '../eval/matrix.js';

export interface EmbedSetOptions {
  /** Images per forward pass (default 64). */
  readonly batchSize?: number;
  /** Also embed the mirrored images (insightface's "Accuracy-Flip"; default true). */
  readonly flip?: boolean;
  /** Decode worker threads (default 1). */
  readonly workers?: number;
  /** Called after each batch with images done so far (both passes counted). */
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
 * evaluation mode with the backbone's own preprocessing contract, for the insightface protocol
 * (`evaluateVerification` sums the two, then normalises). Each image is decoded once; the mirror
 * pass reuses the decoded batch.
 */
export async function embedVerificationSet(backbone: Backbone, set: VerificationSet, options: EmbedSetOptions = {}): Promise<SetEmbeddings> {
  const flip = options.flip ?? true;
  const { inputSize, colorOrder, normalization } = backbone.preprocessing;
  const rows = set.size * 2;
  const cols = backbone.embeddingSize;
  const plain = new Float32Array(rows * cols);
  const mirrored = flip ? new Float32Array(rows * cols) : null;
  const ctx = { training: false, rng: Rng.fromSeed(0) }; // evaluation draws nothing
  let done = 0;
  for await (const batch of set.batches({ batchSize: options.batchSize ?? 64, inputSize, colorOrder, normalization, workers: options.workers ?? 1 })) {
    const outputs = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
      const e = backbone.forward(x, ctx).embedding;
      return mirrored ? [e, backbone.forward(tf.reverse(x, 2) as tf.Tensor4D, ctx).embedding] : [e];
    });
    plain.set(await (outputs[0] as tf.Tensor).data(), batch.first * cols);
    if (mirrored) mirrored.set(await (outputs[1] as tf.Tensor).data(), batch.first * cols);
    tf.dispose(outputs);
    done += batch.shape[0];
    options.onProgress?.(done, rows);
  }
  return { embeddings: { data: plain, rows, cols }, flipped: mirrored ? { data: mirrored, rows, cols } : null };
}
