/**
 * Golden adapter for @fr/transface (method `transface`):
 * - `ehsm-official-std`: the case's tokens as the backbone's aux `tokens` → the `ehsm` plugin,
 *   composed with a centre bank holding the case's weight and the straight-through `arcface` through
 *   core's `forwardLoss` (the trainer's own step: (1/B)·Σ w_i·CE_i, CE clamped at p 1e-30 in value
 *   only); `tf.grads` w.r.t. embeddings, weight and tokens (zero: the weights are detached).
 *   H, H̄ and w from `ehsmWeights`.
 * - `dpap-amplitude-mix`: `amplitudeSpectrumMix`; `output` with the README's uint8 rule.
 * - `dpap-batch`: the decoded batch through `dpapBatch` (float64, must match exactly) and through
 *   `dpapBatchTensor` (float32 tensor path: the file's float32 pixel tolerance).
 */
import { tf, Module, Rng, cosineToCenters, defineCenterBank, forwardLoss, type Backbone, type Composition, type StepEnv } from '@fr/core';
import { arcface } from '@fr/loss-arcface';
import { amplitudeSpectrumMix, dpapBatch, dpapBatchTensor, ehsm, ehsmWeights, type DpapDraws } from '@fr/transface';
import { flatten } from '../compare.js';
import type { GoldenAdapter, GoldenCase, GoldenFile } from '../schema.js';

type Params = Readonly<Record<string, unknown>>;

const VARIANTS = ['ehsm-official-std', 'dpap-amplitude-mix', 'dpap-batch'] as const;
type Variant = (typeof VARIANTS)[number];

/** TransFace's input side: the batch encoding leaves rows/cols ≥ grid·patch as a border. */
const INPUT_SIZE = 112;

const num = (params: Params, key: string): number => {
  const v = params[key];
  if (typeof v !== 'number') throw new Error(`param "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
};

const variantOf = (file: GoldenFile): Variant | undefined =>
  file.method === 'transface' ? VARIANTS.find((v) => v === file.variant) : undefined;

class NoWeights extends Module {}

// ───────────────────────────── EHSM ─────────────────────────────

function runEhsm(testCase: GoldenCase): Record<string, unknown> {
  const p = testCase.params;
  const { tokens, embeddings, weight, labels } = testCase.inputs as { tokens: number[][][]; embeddings: number[][]; weight: number[][]; labels: number[] };
  const d = (embeddings[0] as number[]).length;
  const c = weight.length;
  const loss = ehsm({ gamma: num(p, 'gamma'), topK: num(p, 'K') });
  const margin = arcface({ s: num(p, 's'), m: num(p, 'm'), gradient: 'straight-through' });
  return tf.tidy(() => {
    const t = tf.tensor3d(tokens);
    const e = tf.tensor2d(embeddings);
    const w = tf.tensor2d(weight);
    const y = tf.tensor1d(labels, 'int32');
    const input = tf.zeros([labels.length, 1, 1, 3]) as tf.Tensor4D;
    // The backbone and centre bank hand back the case's tensors (current values set per call).
    let current = { e, w, t };
    const backbone: Backbone = {
      name: 'golden-tokens',
      config: { inputSize: 1, embeddingSize: d },
      preprocessing: { inputSize: 1, colorOrder: 'rgb', normalization: 'minus1to1', embeddingNormalization: 'l2' },
      embeddingSize: d,
      auxOutputs: ['tokens'],
      module: new NoWeights(),
      forward: () => ({ embedding: current.e as tf.Tensor2D, aux: { tokens: current.t } }),
    };
    const centers = defineCenterBank({
      name: 'golden-centres',
      numClasses: c,
      embeddingSize: d,
      cosine: ({ embedding, labels: targets }) => ({ cosine: cosineToCenters(embedding, current.w as tf.Tensor2D), targets }),
    });
    const composition: Composition = { backbone, centers, margin, losses: [loss] };
    const env: StepEnv = {
      step: 0, epoch: 0, training: true, hostLabels: Int32Array.from(labels),
      backboneRng: Rng.fromSeed(0), pluginRng: (plugin) => Rng.fromSeed(0).fork(`plugin:${plugin.name}`),
      crossEntropy: { minProbability: 1e-30 },
    };
    const step = (ee: tf.Tensor, ww: tf.Tensor, tt: tf.Tensor) => {
      current = { e: ee as tf.Tensor2D, w: ww as tf.Tensor2D, t: tt as tf.Tensor3D };
      return forwardLoss(composition, { input, clean: input, labels: y }, env);
    };
    const parts = step(e, w, t);
    const mined = ehsmWeights(t, { gamma: num(p, 'gamma'), topK: num(p, 'K') });
    const [gE, gW, gT] = tf.grads((ee: tf.Tensor, ww: tf.Tensor, tt: tf.Tensor) => step(ee, ww, tt).total)([e, w, t]);
    return {
      H: mined.entropy.arraySync(),
      Hbar: mined.hbar.arraySync(),
      w: mined.weights.arraySync(),
      cosine: parts.view.cosine?.arraySync(),
      logits: parts.view.logits?.arraySync(),
      per_sample_loss: parts.view.perSampleLoss?.arraySync(),
      loss: parts.total.dataSync()[0],
      grad_embeddings: (gE as tf.Tensor).arraySync(),
      grad_weight: (gW as tf.Tensor).arraySync(),
      grad_tokens: (gT as tf.Tensor).arraySync(),
    };
  });
}

// ───────────────────────────── DPAP ─────────────────────────────

function runAmplitudeMix(testCase: GoldenCase): Record<string, unknown> {
  const { src, donor, lambda } = testCase.inputs as { src: unknown; donor: unknown; lambda: number };
  const { preClip, output } = amplitudeSpectrumMix(flatten(src).values, flatten(donor).values, lambda);
  return { pre_clip: Array.from(preClip), output: Array.from(output) };
}

/** T(x) = floor(clip(x, 0, 255)). */
const truncate = (x: number): number => Math.floor(Math.min(255, Math.max(0, x)));

function compareUint8(actual: unknown, testCase: GoldenCase, file: GoldenFile): string | null {
  const eps = (file.tolerance.uint8 as { eps?: number } | undefined)?.eps;
  if (typeof eps !== 'number') return 'file has no tolerance.uint8.eps';
  const out = flatten(actual).values;
  const v = flatten(testCase.expected.pre_clip).values;
  if (out.length !== v.length) return `has ${out.length} values, expected ${v.length}`;
  const bad = out.flatMap((o, i) => (o === truncate((v[i] as number) - eps) || o === truncate((v[i] as number) + eps) ? [] : [i]));
  if (bad.length === 0) return null;
  const i = bad[0] as number;
  return `${bad.length} of ${out.length} pixels are neither T(v − eps) nor T(v + eps); first at ${i}: got ${out[i]}, pre_clip ${v[i]}`;
}

interface BatchInputs {
  patch_bank: unknown;
  cell_bank_index: number[][][];
  border: number[][];
  patch_weights: unknown;
  u: number[];
  donor_index: unknown;
  donor_row: unknown;
  donor_col: unknown;
  lambda: unknown;
}

interface BatchRun {
  readonly input: Float64Array;
  readonly output: Float64Array;
  readonly float32Output: Float32Array;
  readonly changed: { sample: number; patch: number; row: number; col: number }[];
  readonly patchSize: number;
}

/** images[b, 9r:9r+9, 9c:9c+9, :] = patch_bank[cell_bank_index[b][r][c]]; the rest = border[b]. */
function decodeImages(inputs: BatchInputs): { data: Float64Array; batch: number; patchSize: number } {
  const bank = flatten(inputs.patch_bank);
  const [, p] = bank.shape as [number, number];
  const batch = inputs.cell_bank_index.length;
  const size = INPUT_SIZE;
  const data = new Float64Array(batch * size * size * 3);
  for (let b = 0; b < batch; b++) {
    const border = inputs.border[b] as number[];
    for (let i = 0; i < size * size; i++) for (let ch = 0; ch < 3; ch++) data[(b * size * size + i) * 3 + ch] = border[ch] as number;
    const grid = inputs.cell_bank_index[b] as number[][];
    grid.forEach((rowCells, r) => rowCells.forEach((entry, c) => {
      for (let y = 0; y < p; y++) {
        for (let x = 0; x < p; x++) {
          for (let ch = 0; ch < 3; ch++) {
            data[((b * size + r * p + y) * size + c * p + x) * 3 + ch] = bank.values[((entry * p + y) * p + x) * 3 + ch] as number;
          }
        }
      }
    }));
  }
  return { data, batch, patchSize: p };
}

function runBatch(testCase: GoldenCase): Record<string, unknown> {
  const inputs = testCase.inputs as unknown as BatchInputs;
  const k = num(testCase.params, 'K');
  const probability = num(testCase.params, 'probability');
  const { data, batch, patchSize } = decodeImages(inputs);
  const weights = flatten(inputs.patch_weights).values;
  const draws: DpapDraws = {
    u: inputs.u,
    donorIndex: flatten(inputs.donor_index).values,
    donorRow: flatten(inputs.donor_row).values,
    donorCol: flatten(inputs.donor_col).values,
    lambda: flatten(inputs.lambda).values,
  };
  const shape = [batch, INPUT_SIZE, INPUT_SIZE, 3] as const;
  const result = dpapBatch({ data, shape }, weights, draws, { k, probability, patchSize });
  const float32Output = tf.tidy(() => {
    const cells = weights.length / batch;
    const r = dpapBatchTensor(tf.tensor4d(Float32Array.from(data), [...shape]), tf.tensor2d(weights, [batch, cells]), draws, { k, probability, patchSize });
    return r.images.dataSync() as Float32Array;
  });
  const run: BatchRun = { input: data, output: result.images, float32Output, changed: result.perturbed.map((q) => ({ ...q })), patchSize };
  return {
    topk: Array.from(result.topk),
    perturbed_samples: result.perturbedSamples,
    perturbed: result.perturbed.map((q) => [q.sample, q.patch]),
    changed_patches: run,
  };
}

interface ExpectedPatch {
  sample: number;
  patch: number;
  row: number;
  col: number;
  values: unknown;
}

/** Pixel float32 tolerance of the file: `{ max_abs_diff, max_mismatch_fraction }`. */
function float32Tolerance(file: GoldenFile): { maxAbs: number; maxFraction: number } {
  const t = (file.tolerance.pixel as { float32?: { max_abs_diff?: number; max_mismatch_fraction?: number } } | undefined)?.float32;
  return { maxAbs: t?.max_abs_diff ?? 1, maxFraction: t?.max_mismatch_fraction ?? 0.02 };
}

function compareChangedPatches(actual: unknown, expected: unknown, file: GoldenFile): string | null {
  const run = actual as BatchRun;
  const patches = expected as ExpectedPatch[];
  const size = INPUT_SIZE;
  const p = run.patchSize;
  const problems: string[] = [];
  const order = (list: { sample: number; patch: number; row: number; col: number }[]) => list.map((q) => `${q.sample}:${q.patch}@${q.row},${q.col}`).join(' ');
  if (order(run.changed) !== order(patches)) problems.push(`changed patches [${order(run.changed)}], expected [${order(patches)}]`);
  const inside = new Uint8Array(run.input.length);
  const index = (b: number, y: number, x: number, ch: number) => ((b * size + y) * size + x) * 3 + ch;
  let float64Bad = 0;
  let float32Bad = 0;
  let float32Worst = 0;
  let insideCount = 0;
  for (const q of patches) {
    const values = flatten(q.values).values;
    for (let y = 0; y < p; y++) {
      for (let x = 0; x < p; x++) {
        for (let ch = 0; ch < 3; ch++) {
          const i = index(q.sample, q.row * p + y, q.col * p + x, ch);
          const want = values[(y * p + x) * 3 + ch] as number;
          if (!inside[i]) insideCount++;
          inside[i] = 1;
          if (run.output[i] !== want) float64Bad++;
          const diff = Math.abs((run.float32Output[i] as number) - want);
          if (diff !== 0) float32Bad++;
          float32Worst = Math.max(float32Worst, diff);
        }
      }
    }
  }
  if (float64Bad > 0) problems.push(`float64 dpapBatch: ${float64Bad} pixels inside the changed patches differ (exact required)`);
  let outside64 = 0;
  let outside32 = 0;
  for (let i = 0; i < run.input.length; i++) {
    if (inside[i]) continue;
    if (run.output[i] !== run.input[i]) outside64++;
    if (run.float32Output[i] !== run.input[i]) outside32++;
  }
  if (outside64 > 0) problems.push(`float64 dpapBatch: ${outside64} pixels outside the changed patches differ from the input`);
  if (outside32 > 0) problems.push(`float32 dpapBatchTensor: ${outside32} pixels outside the changed patches differ from the input`);
  const tol = float32Tolerance(file);
  if (float32Worst > tol.maxAbs || (insideCount > 0 && float32Bad / insideCount > tol.maxFraction)) {
    problems.push(`float32 dpapBatchTensor: ${float32Bad} of ${insideCount} changed pixels differ (max |diff| ${float32Worst}; allowed ${tol.maxAbs} on ≤ ${tol.maxFraction * 100}%)`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

/** TransFace EHSM and DPAP golden files → @fr/transface. */
export const transfaceAdapter: GoldenAdapter = {
  name: '@fr/transface EHSM and DPAP',
  matches: (file) => variantOf(file) !== undefined,
  run: (testCase, file) => {
    const variant = variantOf(file);
    if (variant === 'ehsm-official-std') return runEhsm(testCase);
    if (variant === 'dpap-amplitude-mix') return runAmplitudeMix(testCase);
    if (variant === 'dpap-batch') return runBatch(testCase);
    throw new Error(`no TransFace runner for variant "${file.variant ?? ''}"`);
  },
  exactKeys: ['topk', 'perturbed_samples', 'perturbed'],
  compare: (key, actual, expected, testCase, file) => {
    const variant = variantOf(file);
    if (variant === 'dpap-amplitude-mix' && key === 'output') return compareUint8(actual, testCase, file);
    if (variant === 'dpap-batch' && key === 'changed_patches') return compareChangedPatches(actual, expected, file);
    return undefined;
  },
};
