/**
 * Golden adapter for the margin heads of @fr/loss-arcface (`arcface` exact-thmm / easy-margin /
 * straight-through, `cosface`, `combined` mxnet). Each case goes through the public API only:
 * core's `cosineToCenters` → the head's `logits` hook → core's `softmaxCrossEntropy` (mean over the
 * batch), with `tf.grads` for the gradients w.r.t. the unnormalised embeddings and weight.
 */
import { tf, cosineToCenters, rowNorm, softmaxCrossEntropy, type MarginPlugin } from '@fr/core';
import { testContext } from '@fr/core/testing';
import { arcface, combinedMargin, cosface } from '@fr/loss-arcface';
import type { GoldenAdapter, GoldenCase, GoldenFile } from '../schema.js';

type Params = Readonly<Record<string, unknown>>;

const num = (params: Params, key: string): number | undefined => {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new Error(`param "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
};

/** The head for a file's method/variant, or undefined when this adapter does not know it. */
function headFor(file: GoldenFile): ((params: Params) => MarginPlugin) | undefined {
  const variant = file.variant ?? '';
  if (file.method === 'arcface') {
    if (variant === 'exact-thmm') return (p) => arcface({ s: num(p, 's'), m: num(p, 'm'), gradient: 'exact' });
    if (variant === 'easy-margin') return (p) => arcface({ s: num(p, 's'), m: num(p, 'm'), gradient: 'exact', easyMargin: true });
    if (variant === 'straight-through') return (p) => arcface({ s: num(p, 's'), m: num(p, 'm'), gradient: 'straight-through' });
    return undefined;
  }
  if (file.method === 'cosface') return (p) => cosface({ s: num(p, 's'), m: num(p, 'm') });
  if (file.method === 'combined' && (variant === 'mxnet' || variant === '')) {
    return (p) => combinedMargin({ s: num(p, 's'), m1: num(p, 'm1'), m2: num(p, 'm2'), m3: num(p, 'm3') });
  }
  return undefined;
}

function run(testCase: GoldenCase, file: GoldenFile): Record<string, unknown> {
  const make = headFor(file);
  if (!make) throw new Error(`no margin head for method "${file.method}" variant "${file.variant ?? ''}"`);
  const { embeddings, weight, labels } = testCase.inputs as { embeddings: number[][]; weight: number[][]; labels: number[] };
  const margin = make(testCase.params);
  try {
    return tf.tidy(() => {
      const e = tf.tensor2d(embeddings);
      const w = tf.tensor2d(weight);
      const y = tf.tensor1d(labels, 'int32');
      const forward = (emb: tf.Tensor2D, centres: tf.Tensor2D) => {
        const cosine = cosineToCenters(emb, centres);
        const ctx = testContext({ plugin: margin, hostLabels: labels });
        const out = margin.logits({ cosine, targets: y, embedding: emb, embeddingNorm: rowNorm(emb) }, ctx);
        const ce = tf.mean(softmaxCrossEntropy(out.logits, out.targets ?? y)) as tf.Scalar;
        const terms = Object.values(out.terms ?? {});
        const loss = (terms.length > 0 ? tf.addN([ce, ...terms]) : ce) as tf.Scalar;
        return { cosine, logits: out.logits, loss };
      };
      const values = forward(e, w);
      const [gradEmbeddings, gradWeight] = tf.grads((emb: tf.Tensor, centres: tf.Tensor) => forward(emb as tf.Tensor2D, centres as tf.Tensor2D).loss)([e, w]);
      return {
        cosine: values.cosine.arraySync(),
        logits: values.logits.arraySync(),
        loss: values.loss.dataSync()[0],
        grad_embeddings: (gradEmbeddings as tf.Tensor).arraySync(),
        grad_weight: (gradWeight as tf.Tensor).arraySync(),
      };
    });
  } finally {
    margin.dispose?.();
  }
}

/** ArcFace / CosFace / combined-margin golden files → @fr/loss-arcface heads. */
export const arcfaceAdapter: GoldenAdapter = {
  name: '@fr/loss-arcface margin heads',
  matches: (file) => headFor(file) !== undefined,
  run,
};
