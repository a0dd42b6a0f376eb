import { tf, Rng, type Backbone } from '@fr/core';
import { evaluateVerification, verifyBackbone, type VerificationResult, type DenseMatrix } from '@fr/bench';
import type { DataSource } from './data-source.js';

export interface Evaluation {
  readonly result: VerificationResult;
  readonly embeddings: DenseMatrix;
  readonly flipped: DenseMatrix | null;
  readonly issame: readonly boolean[];
  readonly seconds: number;
}

async function embedInMemory(backbone: Backbone, images: Float32Array, count: number, size: number, flip: boolean): Promise<DenseMatrix> {
  const cols = backbone.embeddingSize;
  const data = new Float32Array(count * cols);
  const ctx = { training: false, rng: Rng.fromSeed(0) };
  const per = size * size * 3;
  for (let start = 0; start < count; start += 100) {
    const n = Math.min(100, count - start);
    const out = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(start * per, (start + n) * per), [n, size, size, 3]);
      return backbone.forward(flip ? (tf.reverse(x, 2) as tf.Tensor4D) : x, ctx).embedding;
    });
    data.set(await out.data(), start * cols);
    out.dispose();
  }
  return { data, rows: count, cols };
}

/** The insightface protocol (orig + flip, 10 folds) on the source's held-out pairs. */
export async function evaluate(backbone: Backbone, source: DataSource): Promise<Evaluation> {
  const started = Date.now();
  if ('set' in source.pairs) {
    const v = await verifyBackbone(backbone, source.pairs.set, { batchSize: 100 });
    return { result: v.result, embeddings: v.embeddings, flipped: v.flipped, issame: v.issame, seconds: (Date.now() - started) / 1000 };
  }
  const { images, count, inputSize, issame } = source.pairs.synthetic;
  const embeddings = await embedInMemory(backbone, images, count, inputSize, false);
  const flipped = await embedInMemory(backbone, images, count, inputSize, true);
  const result = evaluateVerification(embeddings, issame, { flipped });
  return { result, embeddings, flipped, issame, seconds: (Date.now() - started) / 1000 };
}
