/**
 * Golden adapter for @fr/loss-boundary (`boundaryface`, `boundaryf1`). Each case goes through the
 * public API only: core's `cosineToCenters` → the head's `logits` hook at the case's epoch →
 * core's `softmaxCrossEntropy` against the targets the head returns (mean over the batch) + the
 * head's terms, with `tf.grads` for the gradients w.r.t. the unnormalised embeddings and weight.
 * `noisy` comes from the head's `onCorrection` reports, `rectified_labels` from its targets.
 */
import { tf, cosineToCenters, rowNorm, softmaxCrossEntropy, type PluginContext } from '@fr/core';
import { testContext } from '@fr/core/testing';
import { boundaryF1, boundaryFace, type BoundaryCorrectionEvent, type BoundaryFaceOptions } from '@fr/loss-boundary';
import type { GoldenAdapter, GoldenCase, GoldenFile } from '../schema.js';

type Params = Readonly<Record<string, unknown>>;

function param<T>(params: Params, key: string, type: 'number' | 'boolean' | 'string'): T | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new Error(`param "${key}" must be a ${type}, got ${JSON.stringify(v)}`);
  return v as T;
}

const METHODS = ['boundaryface', 'boundaryf1'];

async function run(testCase: GoldenCase, file: GoldenFile): Promise<Record<string, unknown>> {
  const { embeddings, weight, labels, epoch, epoch_start: epochStart } = testCase.inputs as {
    embeddings: number[][]; weight: number[][]; labels: number[]; epoch: number; epoch_start: number;
  };
  const p = testCase.params;
  const events: BoundaryCorrectionEvent[] = [];
  const options: BoundaryFaceOptions = {
    s: param<number>(p, 's', 'number'),
    m: param<number>(p, 'm', 'number'),
    easyMargin: param<boolean>(p, 'easy_margin', 'boolean'),
    variant: param<'official' | 'clean'>(p, 'variant', 'string'),
    // The files state the rule as `epoch > epoch_start` on the epoch they give: compare it as is.
    epochStart,
    epochCounting: 'zero-based',
    // Reports arrive asynchronously; the value pass is step 0, the gradient pass step 1.
    onCorrection: (event) => {
      if (event.step === 0) events.push(event);
    },
  };
  const margin = file.method === 'boundaryf1' ? boundaryF1(options) : boundaryFace(options);
  const ctx = (step: number): PluginContext => testContext({ plugin: margin, step, epoch, hostLabels: labels });
  const result = tf.tidy(() => {
    const e = tf.tensor2d(embeddings);
    const w = tf.tensor2d(weight);
    const y = tf.tensor1d(labels, 'int32');
    const forward = (emb: tf.Tensor2D, centres: tf.Tensor2D, step: number) => {
      const cosine = cosineToCenters(emb, centres);
      const out = margin.logits({ cosine, targets: y, embedding: emb, embeddingNorm: rowNorm(emb) }, ctx(step));
      const targets = out.targets ?? y;
      const ce = tf.mean(softmaxCrossEntropy(out.logits, targets)) as tf.Scalar;
      const terms = Object.values(out.terms ?? {});
      const reg = (terms.length > 0 ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar;
      const loss = (terms.length > 0 ? tf.addN([ce, ...terms]) : ce) as tf.Scalar;
      return { cosine, logits: out.logits, targets, ce, reg, loss };
    };
    const values = forward(e, w, 0);
    const [gradEmbeddings, gradWeight] = tf.grads((emb: tf.Tensor, centres: tf.Tensor) => forward(emb as tf.Tensor2D, centres as tf.Tensor2D, 1).loss)([e, w]);
    return {
      cosine: values.cosine.arraySync(),
      logits: values.logits.arraySync(),
      rectified_labels: values.targets.arraySync(),
      ce: values.ce.dataSync()[0],
      reg: values.reg.dataSync()[0],
      loss: values.loss.dataSync()[0],
      grad_embeddings: (gradEmbeddings as tf.Tensor).arraySync(),
      grad_weight: (gradWeight as tf.Tensor).arraySync(),
    };
  });
  await margin.onStepEnd();
  const noisy = labels.map(() => 0);
  if (events.length > 1) throw new Error(`expected at most one correction report for the value pass, got ${events.length}`);
  for (const c of events[0]?.corrections ?? []) {
    if (c.label !== labels[c.position]) throw new Error(`correction report at position ${c.position} gives label ${c.label}, the batch has ${labels[c.position]}`);
    if (c.newLabel !== (result.rectified_labels as number[])[c.position]) throw new Error(`correction report at position ${c.position} disagrees with the returned targets`);
    noisy[c.position] = 1;
  }
  return { ...result, noisy };
}

/** BoundaryFace / BoundaryF1 golden files → @fr/loss-boundary heads. */
export const boundaryAdapter: GoldenAdapter = {
  name: '@fr/loss-boundary BoundaryFace heads',
  matches: (file) => METHODS.includes(file.method),
  run,
  exactKeys: ['rectified_labels', 'noisy'],
};
