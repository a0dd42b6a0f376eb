import { evaluateVerification } from '@fr/bench';
import type { GoldenAdapter, Tolerance } from '../schema.js';
import { compareNumbers } from '../compare.js';

/**
 * insightface's `.bin` verification protocol (spec §1.9) through `evaluateVerification`.
 * Accuracies (`fold_accuracy`, `accuracy_mean`) use the file's `accuracy` tolerance. `accuracy_std`
 * uses `value`: the reference stores the std of the float32-cast fold accuracies (3–5e-9 from the
 * float64 std) although every fold accuracy matches exactly.
 */
export const verificationAdapter: GoldenAdapter = {
  name: '@fr/bench evaluateVerification',
  matches: (file) => file.method === 'verification',
  run: (c) => {
    const inputs = c.inputs as { embeddings: number[][]; embeddings_flip?: number[][] | null; issame: (boolean | number)[] };
    const r = evaluateVerification(inputs.embeddings, inputs.issame, { flipped: inputs.embeddings_flip ?? null });
    return {
      distance: r.distances,
      fold_best_threshold: r.foldBestThreshold,
      fold_accuracy: r.foldAccuracy,
      accuracy_mean: r.accuracyMean,
      accuracy_std: r.accuracyStd,
      xnorm: r.xnorm,
    };
  },
  compare: (key, actual, expected, _case, file) => {
    if (key !== 'fold_accuracy' && key !== 'accuracy_mean') return undefined;
    const t = (file.tolerance.accuracy ?? file.tolerance.value) as Partial<Tolerance>;
    return compareNumbers(actual, expected, { atol: t.atol ?? 0, rtol: t.rtol ?? 0 });
  },
};
