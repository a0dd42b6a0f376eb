/** Pair scores of embeddings in the insightface layout, for ROC analysis and calibration. */
import type { EmbeddingMatrix } from './matrix.js';
import { pairCosineSimilarities, pairSquaredDistances, preparePairs } from './pairs.js';

/** Both scores of every pair of normalised embeddings. */
export interface PairScores {
  /** Cosine similarity per pair (higher = more similar). */
  readonly cosine: Float64Array;
  /** Squared L2 distance per pair, `2 − 2·cos` (lower = more similar). */
  readonly squaredL2: Float64Array;
  /** Mean L2 norm of the raw embeddings (orig and flip). */
  readonly xnorm: number;
  readonly pairCount: number;
  readonly dim: number;
  readonly usedFlip: boolean;
}

/**
 * Scores every pair: rows 2k and 2k+1 of `embeddings` are pair k; with `flipped`, each
 * embedding is `normalize(orig + flip)`, otherwise `normalize(orig)`.
 *
 * @example
 * ```ts
 * const { cosine } = pairScores(embeddings, { flipped });
 * const roc = rocCurve(cosine, issame);
 * ```
 */
export function pairScores(embeddings: EmbeddingMatrix, options: { readonly flipped?: EmbeddingMatrix | null } = {}): PairScores {
  const p = preparePairs(embeddings, options.flipped);
  return {
    cosine: pairCosineSimilarities(p),
    squaredL2: pairSquaredDistances(p),
    xnorm: p.xnorm,
    pairCount: p.pairCount,
    dim: p.dim,
    usedFlip: p.usedFlip,
  };
}
