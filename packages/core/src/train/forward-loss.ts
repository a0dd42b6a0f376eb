/**
 * One composed forward pass: backbone → centre bank → margin head → weighted cross-entropy, plus
 * every plugin's terms. Shared by the trainer and the conformance kit so both test the same path.
 */
import { tf } from '../tf.js';
import type { Composition } from '../contract/compose.js';
import { describePlugin } from '../contract/describe.js';
import type { LossView, Metrics, Plugin, PluginContext } from '../contract/plugin.js';
import { softmaxCrossEntropy, type CrossEntropyOptions } from '../math/cross-entropy.js';
import { detach } from '../math/gradient.js';
import { rowNorm } from '../math/normalize.js';
import type { Rng } from '../random/rng.js';

export interface StepInputs {
  readonly input: tf.Tensor4D;
  readonly clean: tf.Tensor4D;
  readonly labels: tf.Tensor1D;
}

export interface StepEnv {
  readonly step: number;
  readonly epoch: number;
  readonly training: boolean;
  /** The batch's dataset labels on the host (plugins read them without a device sync). */
  readonly hostLabels: Int32Array;
  readonly ids?: readonly string[];
  readonly backboneRng: Rng;
  readonly pluginRng: (plugin: Plugin) => Rng;
  readonly crossEntropy?: CrossEntropyOptions;
}

/** A named scalar and the part of the composition it came from (for logs and NaN reports). */
export interface Attributed<T> {
  readonly key: string;
  readonly source: string;
  readonly value: T;
}

export interface LossParts {
  readonly total: tf.Scalar;
  /** Loss terms; their sum is `total`. The classification term is `ce`. */
  readonly terms: readonly Attributed<tf.Scalar>[];
  /** Sums of intermediate tensors, in pipeline order: the first non-finite one names the culprit. */
  readonly checks: readonly Attributed<tf.Scalar>[];
  readonly metrics: readonly Attributed<number | tf.Scalar>[];
  readonly view: LossView;
}

function collect(out: Attributed<number | tf.Scalar>[], plugin: Plugin, metrics: Metrics | undefined): void {
  for (const [key, value] of Object.entries(metrics ?? {})) out.push({ key: `${plugin.name}/${key}`, source: describePlugin(plugin), value });
}

/** Runs the composed step on `batch` and returns the total loss with its attributed parts. */
export function forwardLoss(c: Composition, batch: StepInputs, env: StepEnv): LossParts {
  const ctx = (p: Plugin): PluginContext => ({ step: env.step, epoch: env.epoch, training: env.training, rng: env.pluginRng(p), hostLabels: env.hostLabels, ids: env.ids });
  const terms: Attributed<tf.Scalar>[] = [];
  const checks: Attributed<tf.Scalar>[] = [];
  const metrics: Attributed<number | tf.Scalar>[] = [];

  const out = c.backbone.forward(batch.input, { training: env.training, rng: env.backboneRng });
  const backboneName = `backbone "${c.backbone.name}"`;
  checks.push({ key: 'embedding', source: backboneName, value: tf.sum(out.embedding) });
  for (const name of c.backbone.auxOutputs) {
    if (!(name in out.aux)) throw new Error(`${backboneName} declares auxiliary output "${name}" but did not return it`);
  }

  let view: LossView = { input: batch.input, cleanInput: batch.clean, labels: batch.labels, embedding: out.embedding, aux: out.aux };
  let classification: tf.Tensor1D | null = null;

  const b = batch.labels.shape[0];
  if (out.embedding.rank !== 2 || out.embedding.shape[0] !== b || out.embedding.shape[1] !== c.backbone.embeddingSize) {
    throw new Error(`${backboneName} returned embeddings of shape [${out.embedding.shape}], expected [${b}, ${c.backbone.embeddingSize}]`);
  }

  if (c.centers && c.margin) {
    const bank = c.centers.cosine({ embedding: out.embedding, labels: batch.labels }, ctx(c.centers));
    expectShape(c.centers, 'cosines', bank.cosine, [b, c.centers.numClasses], 'at most');
    expectShape(c.centers, 'targets', bank.targets, [b]);
    checks.push({ key: 'cosine', source: describePlugin(c.centers), value: tf.sum(bank.cosine) });
    collect(metrics, c.centers, bank.metrics);
    const head = c.margin.logits(
      { cosine: bank.cosine, targets: bank.targets, embedding: out.embedding, embeddingNorm: rowNorm(out.embedding) },
      ctx(c.margin),
    );
    expectShape(c.margin, 'logits', head.logits, bank.cosine.shape);
    if (head.targets) expectShape(c.margin, 'rewritten targets', head.targets, [b]);
    checks.push({ key: 'logits', source: describePlugin(c.margin), value: tf.sum(head.logits) });
    collect(metrics, c.margin, head.metrics);
    const targets = head.targets ?? bank.targets;
    classification = softmaxCrossEntropy(head.logits, targets, env.crossEntropy);
    view = { ...view, cosine: bank.cosine, logits: head.logits, targets, perSampleLoss: classification };
    for (const [key, value] of Object.entries(head.terms ?? {})) expectShape(c.margin, `term "${key}"`, value, []);
    for (const [key, value] of Object.entries(head.terms ?? {})) terms.push({ key: `${c.margin.name}/${key}`, source: describePlugin(c.margin), value });
  }

  let weights: tf.Tensor1D | null = null;
  for (const p of c.losses ?? []) {
    if (!p.sampleWeights) continue;
    const result = p.sampleWeights(view, ctx(p));
    const w = detach(result.weights);
    expectShape(p, 'sample weights', w, [b]);
    checks.push({ key: 'weights', source: describePlugin(p), value: tf.sum(w) });
    collect(metrics, p, result.metrics);
    weights = weights ? (tf.mul(weights, w) as tf.Tensor1D) : w;
  }
  if (classification) {
    const weighted = weights ? tf.mul(classification, weights) : classification;
    // (1/B)·Σ w_i·CE_i: TransFace EHSM and TopoFR SDS both divide by B, not Σw.
    const source = c.margin && c.centers ? `${describePlugin(c.margin)} with ${describePlugin(c.centers)}` : 'classification';
    terms.unshift({ key: 'ce', source, value: tf.mean(weighted) as tf.Scalar });
  }
  for (const p of c.losses ?? []) {
    if (!p.terms) continue;
    const result = p.terms(view, ctx(p));
    for (const [key, value] of Object.entries(result.terms)) {
      expectShape(p, `term "${key}"`, value, []);
      terms.push({ key: `${p.name}/${key}`, source: describePlugin(p), value });
    }
    collect(metrics, p, result.metrics);
  }
  if (terms.length === 0) throw new Error('The composition produced no loss terms');
  const total = terms.length === 1 ? (terms[0] as Attributed<tf.Scalar>).value : (tf.addN(terms.map((t) => t.value)) as tf.Scalar);
  return { total, terms, checks, metrics, view };
}

/**
 * Throws naming the plugin unless `t` has shape `expected` (with `at most`, the last dimension
 * may be smaller: a Partial FC bank returns cosines to the sampled centers only). A wrong shape
 * would otherwise broadcast or index silently and train to completion on nonsense.
 */
function expectShape(plugin: Plugin, what: string, t: tf.Tensor, expected: readonly number[], last: 'exact' | 'at most' = 'exact'): void {
  const ok = t.rank === expected.length && t.shape.every((n, i) => (last === 'at most' && i === expected.length - 1 ? n >= 1 && n <= (expected[i] as number) : n === expected[i]));
  if (!ok) {
    const want = last === 'at most' ? `[${expected.slice(0, -1).join(', ')}, 1..${expected[expected.length - 1]}]` : `[${expected.join(', ')}]`;
    throw new Error(`${describePlugin(plugin)} returned ${what} of shape [${t.shape}], expected ${want}`);
  }
}
