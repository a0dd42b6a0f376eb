import type { Backbone, TrainerCallback } from '@fr/core';
import type { VerificationSet } from '@fr/data';
import { evaluateVerification, type VerificationResult } from '../eval/verification.js';
import { auc, rocCurve } from '../eval/roc.js';
import { pairScores } from '../eval/scores.js';
import { embedVerificationSet, type EmbedSetOptions, type SetEmbeddings } from './embed-set.js';
import type { EmbeddingEngine } from './embedding-engine.js';

export interface BackboneVerification extends SetEmbeddings {
  readonly result: VerificationResult;
  readonly issame: readonly boolean[];
}

/** Embeds a verification set with `model` (a backbone or an engine) and runs the insightface protocol on it. */
export async function verifyBackbone(model: Backbone | EmbeddingEngine, set: VerificationSet, options: EmbedSetOptions = {}): Promise<BackboneVerification> {
  const embedded = await embedVerificationSet(model, set, options);
  const result = evaluateVerification(embedded.embeddings, set.issame, { flipped: embedded.flipped });
  return { ...embedded, result, issame: set.issame };
}

export interface VerificationCallbackOptions extends EmbedSetOptions {
  /** Event name (default `verify`). */
  readonly name?: string;
  /** Run every N steps. */
  readonly every: number;
}

/**
 * A trainer callback that evaluates the backbone on a verification set every `every` steps;
 * the trainer emits its numbers as an `eval` event (accuracy, std, AUC, XNorm).
 * @example
 * ```ts
 * const lfw = VerificationSet.fromBin('lfw.bin');
 * createTrainer({ ..., callbacks: [verificationCallback(lfw, { every: 2000, name: 'lfw' })] });
 * ```
 */
export function verificationCallback(set: VerificationSet, options: VerificationCallbackOptions): TrainerCallback {
  return {
    name: options.name ?? 'verify',
    every: options.every,
    async run({ backbone }) {
      const { result, embeddings, flipped } = await verifyBackbone(backbone, set, options);
      const scores = pairScores(embeddings, { flipped });
      const roc = rocCurve(scores.cosine, set.issame);
      const metrics: Record<string, number> = { accuracy: result.accuracyMean, std: result.accuracyStd, auc: auc(roc) };
      if (result.xnorm !== null) metrics.xnorm = result.xnorm;
      return metrics;
    },
  };
}
