/**
 * Golden adapter for @fr/topofr (method `topofr`), one file family per variant:
 * - `isa-official` (`topofr-topo-loss.json`): `topoLoss(X, Z)` and ∂loss/∂Z by `tf.grads`;
 * - `gum-official` (`topofr-gum.json`): `gum(entropy)` in float64;
 * - `official+fixed` (`topofr-sds-loss.json`): exact th/mm ArcFace from @fr/loss-arcface → core's
 *   `softmaxCrossEntropy`, weighted by the detached weights of the `sds` plugin's `sampleWeights`
 *   hook ((1/B)·Σ w_i·CE_i, as the trainer does), gradients w.r.t. the embeddings and the centres.
 * Pair lists and iteration counts are compared exactly.
 */
import { tf, cosineToCenters, detach, rowNorm, scoped, softmaxCrossEntropy, type LossView, type Plugin, type PluginContext } from '@fr/core';
import { testContext } from '@fr/core/testing';
import { arcface } from '@fr/loss-arcface';
import { gum, sds, sdsWeights, topoLoss, type SdsVariant } from '@fr/topofr';
import type { GoldenAdapter, GoldenCase, GoldenFile, GoldenOutputs } from '../schema.js';

type Params = Readonly<Record<string, unknown>>;
type Kind = 'topo' | 'gum' | 'sds';

const num = (params: Params, key: string, fallback: number): number => {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new Error(`param "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
};

function kindOf(file: GoldenFile): Kind | undefined {
  if (file.method !== 'topofr') return undefined;
  return ({ 'isa-official': 'topo', 'gum-official': 'gum', 'official+fixed': 'sds' } as Record<string, Kind>)[file.variant ?? ''];
}

/** Row-major (n, n) host matrix → nested rows. */
const square = (values: Float64Array, n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * n, (i + 1) * n)));

const context = (plugin: Plugin, labels: readonly number[]): PluginContext => testContext({ plugin, hostLabels: labels });

function runTopo(testCase: GoldenCase): GoldenOutputs {
  const { X, Z } = testCase.inputs as { X: number[][][][]; Z: number[][] };
  return scoped(() => {
    const x = tf.tensor(X);
    const z = tf.tensor2d(Z);
    const r = topoLoss(x, z);
    const [gradZ] = tf.grads((zz: tf.Tensor) => topoLoss(x, zz as tf.Tensor2D).loss)([z]);
    const b = z.shape[0];
    return {
      max_distance: r.maxDistance,
      DX: square(r.DX, b),
      DZ: square(r.DZ, b),
      pairs_x: r.pairsX.map((p) => [...p]),
      pairs_z: r.pairsZ.map((p) => [...p]),
      sig_x: Array.from(r.sigX),
      sig_z: Array.from(r.sigZ.dataSync()),
      loss: r.loss.dataSync()[0],
      grad_z: (gradZ as tf.Tensor).arraySync(),
    };
  });
}

function runGum(testCase: GoldenCase): GoldenOutputs {
  const { entropy } = testCase.inputs as { entropy: number[] };
  const r = gum(entropy);
  return {
    entropy_flipped: Array.from(r.entropyFlipped),
    x: Array.from(r.x),
    gamma: Array.from(r.gamma),
    pi: r.pi,
    sigma2: r.sigma2,
    c: r.c,
    n_iter: r.nIter,
    last_sum_density: r.lastSumDensity,
    small_branch_iters: r.smallBranchIters,
    w1: Array.from(r.gamma, (g) => 2 - g),
  };
}

function runSds(testCase: GoldenCase): GoldenOutputs {
  const { embeddings, weight, labels } = testCase.inputs as { embeddings: number[][]; weight: number[][]; labels: number[] };
  const params = testCase.params;
  const variant = params.variant as SdsVariant;
  if (variant !== 'official' && variant !== 'fixed') throw new Error(`params.variant must be 'official' or 'fixed', got ${JSON.stringify(params.variant)}`);
  const temp = num(params, 'temp', 1);
  const margin = arcface({ s: num(params, 's', 64), m: num(params, 'm', 0.5), gradient: 'exact' });
  const plugin = sds({ temp, variant });
  return tf.tidy(() => {
    const e = tf.tensor2d(embeddings);
    const w = tf.tensor2d(weight);
    const y = tf.tensor1d(labels, 'int32');
    const forward = (emb: tf.Tensor2D, centres: tf.Tensor2D) => {
      const cosine = cosineToCenters(emb, centres);
      const { logits } = margin.logits({ cosine, targets: y, embedding: emb, embeddingNorm: rowNorm(emb) }, context(margin, labels));
      const ce = softmaxCrossEntropy(logits, y);
      const view: LossView = { input: tf.zeros([labels.length, 1, 1, 3]) as tf.Tensor4D, cleanInput: tf.zeros([labels.length, 1, 1, 3]) as tf.Tensor4D, labels: y, embedding: emb, aux: {}, cosine, logits, targets: y, perSampleLoss: ce };
      const weights = detach((plugin.sampleWeights as NonNullable<typeof plugin.sampleWeights>)(view, context(plugin, labels)).weights);
      return { cosine, logits, ce, loss: tf.mean(tf.mul(ce, weights)) as tf.Scalar };
    };
    const values = forward(e, w);
    const parts = sdsWeights(values.logits, y, { temp, variant });
    const [gradEmbeddings, gradWeight] = tf.grads((emb: tf.Tensor, centres: tf.Tensor) => forward(emb as tf.Tensor2D, centres as tf.Tensor2D).loss)([e, w]);
    return {
      cosine: values.cosine.arraySync(),
      logits: values.logits.arraySync(),
      p: tf.softmax(values.logits).arraySync(),
      entropy: Array.from(parts.entropy),
      entropy_flipped: Array.from(parts.gum.entropyFlipped),
      gamma: Array.from(parts.gum.gamma),
      gum_pi: parts.gum.pi,
      gum_sigma2: parts.gum.sigma2,
      gum_n_iter: parts.gum.nIter,
      p_gt: Array.from(parts.pGt),
      w1: Array.from(parts.w1),
      w2: Array.from(parts.w2),
      ce: Array.from(values.ce.dataSync()),
      loss: values.loss.dataSync()[0],
      grad_embeddings: (gradEmbeddings as tf.Tensor).arraySync(),
      grad_weight: (gradWeight as tf.Tensor).arraySync(),
    };
  });
}

function run(testCase: GoldenCase, file: GoldenFile): GoldenOutputs {
  const kind = kindOf(file);
  if (kind === 'topo') return runTopo(testCase);
  if (kind === 'gum') return runGum(testCase);
  if (kind === 'sds') return runSds(testCase);
  throw new Error(`no TopoFR function for variant "${file.variant ?? ''}"`);
}

/** TopoFR golden files → @fr/topofr (ISA topoLoss, GUM, SDS weights with exact ArcFace). */
export const topofrAdapter: GoldenAdapter = {
  name: '@fr/topofr',
  matches: (file) => kindOf(file) !== undefined,
  run,
  exactKeys: ['pairs_x', 'pairs_z', 'n_iter', 'small_branch_iters'],
};
