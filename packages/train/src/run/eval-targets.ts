/**
 * The verification sets a recipe evaluates on (insightface protocol: orig + flip, 10 folds):
 * pairs files and `.bin` sets from disk, or the synthetic held-out pairs of the fallback data.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { Rng, tf, type Backbone } from '@fr/core';
import { buildVerificationReport, evaluateVerification, verifyBackbone, type DenseMatrix, type VerificationReport, type VerificationResult } from '@fr/bench';
import { VerificationSet } from '@fr/data';
import type { EvalSetSpec } from '../recipe/schema.js';
import type { SyntheticPairs } from '../data/synthetic.js';

/** One evaluation of one set: the full report (ROC included) and its headline numbers. */
export interface Evaluation {
  readonly set: string;
  readonly result: VerificationResult;
  readonly issame: readonly boolean[];
  readonly report: VerificationReport;
  readonly metrics: Record<string, number>;
  readonly seconds: number;
}

/** A set the backbone can be evaluated on. */
export interface EvalTarget {
  readonly name: string;
  readonly pairs: number;
  evaluate(backbone: Backbone): Promise<Evaluation>;
}

/** A set's `name`, else from its file: `lfw.bin` → `lfw`, `celeba-crops-pairs.txt` → `celeba-crops-pairs`, `orl-faces/pairs.txt` → `orl-faces`. */
export function evalSetName(spec: EvalSetSpec): string {
  if (spec.name) return spec.name;
  const file = 'bin' in spec ? spec.bin : spec.pairs;
  const stem = basename(file, extname(file));
  return stem.toLowerCase() === 'pairs' ? basename(dirname(file)) : stem;
}

function evaluation(set: string, started: number, input: { readonly model: string; readonly issame: readonly boolean[]; readonly result: VerificationResult }): Evaluation {
  const report = buildVerificationReport({ dataset: set, ...input });
  const metrics: Record<string, number> = { accuracy: report.accuracy.mean, std: report.accuracy.std };
  if (report.roc.available) {
    metrics.auc = report.roc.auc;
    metrics.eer = report.roc.eer;
  }
  if (report.xnorm !== null) metrics.xnorm = report.xnorm;
  return { set, result: input.result, issame: input.issame, report, metrics, seconds: (Date.now() - started) / 1000 };
}

async function embedInMemory(backbone: Backbone, pairs: SyntheticPairs, flip: boolean, batchSize: number): Promise<DenseMatrix> {
  const cols = backbone.embeddingSize;
  const size = pairs.inputSize;
  const per = size * size * 3;
  const data = new Float32Array(pairs.count * cols);
  const ctx = { training: false, rng: Rng.fromSeed(0) }; // evaluation draws nothing
  for (let start = 0; start < pairs.count; start += batchSize) {
    const n = Math.min(batchSize, pairs.count - start);
    const out = tf.tidy(() => {
      const x = tf.tensor4d(pairs.images.subarray(start * per, (start + n) * per), [n, size, size, 3]);
      return backbone.forward(flip ? (tf.reverse(x, 2) as tf.Tensor4D) : x, ctx).embedding;
    });
    data.set(await out.data(), start * cols);
    out.dispose();
  }
  return { data, rows: pairs.count, cols };
}

/**
 * The recipe's evaluation sets, checked to exist (an error names the field); with synthetic
 * fallback data, the synthetic held-out pairs instead.
 */
export function openEvalTargets(specs: readonly EvalSetSpec[], synthetic: SyntheticPairs | null, options: { readonly batchSize: number; readonly flip: boolean; readonly model: string }): EvalTarget[] {
  if (synthetic) {
    return [{
      name: synthetic.name,
      pairs: synthetic.issame.length,
      async evaluate(backbone) {
        const started = Date.now();
        const embeddings = await embedInMemory(backbone, synthetic, false, options.batchSize);
        const flipped = options.flip ? await embedInMemory(backbone, synthetic, true, options.batchSize) : null;
        const result = evaluateVerification(embeddings, synthetic.issame, { flipped });
        return evaluation(synthetic.name, started, { model: options.model, issame: synthetic.issame, result });
      },
    }];
  }
  return specs.map((spec, i) => {
    const name = evalSetName(spec);
    for (const [field, path] of Object.entries(spec)) {
      if (field !== 'name' && !existsSync(path)) throw new Error(`evaluation.sets.${i}.${field}: no such ${field === 'images' ? 'folder' : 'file'} ${path}`);
    }
    const set = 'bin' in spec ? VerificationSet.fromBin(spec.bin) : VerificationSet.fromPairs(spec.pairs, spec.images);
    return {
      name,
      pairs: set.size,
      async evaluate(backbone) {
        const started = Date.now();
        const v = await verifyBackbone(backbone, set, { batchSize: options.batchSize, flip: options.flip });
        return evaluation(name, started, { model: options.model, issame: v.issame, result: v.result });
      },
    };
  });
}
