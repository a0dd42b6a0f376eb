import { tf, defineLoss, detach, type LossPlugin, checkChoice, checkNumber } from '@fr/core';
import { readHost } from '../internal/host-read.js';
import { gum, type GumResult } from './gum.js';

/**
 * The focal factor w2 of the SDS weight:
 * - `fixed` (default) — w2 = 1 − p_gt, the intended "prediction accuracy" term of the paper;
 * - `official` — w2 = 1 − trunc(p_gt), what the released code computes: `probability_gt` is an
 *   int64 tensor, so p_gt is truncated to 0 and w2 = 1 for every sample (0 only when p_gt is
 *   exactly 1.0 in float32).
 */
export type SdsVariant = 'fixed' | 'official';

/** Options of {@link sds} and {@link sdsWeights}. */
export interface SdsOptions {
  /** Exponent ξ of the GUM factor, w1 = (2 − γ)^temp (default 1, the official value). */
  readonly temp?: number;
  /** Default `fixed`. */
  readonly variant?: SdsVariant;
}

/** Everything {@link sdsWeights} computes, on the host (float64 except `entropy`/`pGt`, read as float32). */
export interface SdsWeightsResult {
  /** Prediction entropies E_i = −Σ_c p_ic·log(p_ic + 1e−5), computed on the backend (float32). */
  readonly entropy: Float32Array;
  /** p[i, y_i], computed on the backend (float32). */
  readonly pGt: Float32Array;
  /** The GUM fitted to `entropy` in float64. */
  readonly gum: GumResult;
  /** (2 − γ_i)^temp. */
  readonly w1: Float64Array;
  /** 1 − p_gt (`fixed`) or 1 − trunc(p_gt) (`official`). */
  readonly w2: Float64Array;
  /** w1·w2: the sample weights. */
  readonly weights: Float64Array;
}

/**
 * TopoFR's structure damage scores for a batch: w_i = (2 − γ_i)^temp · w2_i, where γ_i is the
 * GUM posterior of the "easy" Gaussian component fitted to the prediction entropies of
 * p = softmax(logits). Reads the entropies and p_gt back with `dataSync()` (the GUM runs on the
 * host in float64, as numpy does): use a backend with synchronous reads.
 * @param logits `(B, C)` margin logits (s·ArcFace with the margin on the target)
 * @param targets `(B,)` int32 target columns
 */
export function sdsWeights(logits: tf.Tensor2D, targets: tf.Tensor1D, options: SdsOptions = {}): SdsWeightsResult {
  const temp = options.temp ?? 1;
  const variant = options.variant ?? 'fixed';
  const b = logits.shape[0];
  if (targets.shape[0] !== b) throw new Error(`sdsWeights: ${targets.shape[0]} targets for ${b} rows of logits`);
  const stats = tf.tidy(() => {
    const p = tf.softmax(detach(logits));
    const entropy = tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-5))), -1));
    const pGt = tf.sum(tf.mul(p, tf.oneHot(tf.cast(targets, 'int32'), logits.shape[1])), -1);
    return tf.concat([entropy, pGt]);
  });
  let host: Float32Array;
  try {
    host = Float32Array.from(readHost(stats, 'sds (TopoFR SDE)'));
  } finally {
    stats.dispose();
  }
  const entropy = host.slice(0, b);
  const pGt = host.slice(b);
  const fit = gum(entropy);
  const w1 = Float64Array.from(fit.gamma, (g) => Math.pow(2 - g, temp));
  const w2 = Float64Array.from(pGt, (p) => (variant === 'fixed' ? 1 - p : 1 - Math.trunc(p)));
  const weights = Float64Array.from(w1, (w, i) => w * (w2[i] as number));
  return { entropy, pGt, gum: fit, w1, w2, weights };
}

const average = (values: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return values.length > 0 ? s / values.length : NaN;
};

/**
 * TopoFR's Structure Damage Estimation as a sample-weight loss plugin: the classification loss
 * becomes (1/B)·Σ w_i·CE_i with the detached weights of {@link sdsWeights} (the GUM is refit on
 * every batch, nothing is carried over). Requires a centre bank and a margin head (it reads
 * `view.logits` and `view.targets`).
 *
 * Logged metrics: `<name>/w1` (mean GUM factor, in [1, 2]), `<name>/w2` (mean focal factor),
 * `<name>/gumPi` (π), `<name>/gumIterations`.
 * @example
 * ```ts
 * const weights = sds();                          // temp 1, w2 = 1 − p_gt (the intended SDS)
 * const asReleased = sds({ variant: 'official' }); // w2 = 1: the released code's effective loss
 * ```
 */
export function sds(options: SdsOptions & { readonly name?: string } = {}): LossPlugin {
  const temp = checkNumber('sds', 'temp', options.temp ?? 1, 'finite');
  const variant = checkChoice<SdsVariant>('sds', 'variant', options.variant ?? 'fixed', ['fixed', 'official']);
  const name = options.name ?? 'sds';
  return defineLoss({
    name,
    requires: ['logits', 'targets'],
    sampleWeights: (view) => {
      if (!view.logits || !view.targets) throw new Error(`sds "${name}" needs logits and targets: compose it with a centre bank and a margin head`);
      const r = sdsWeights(view.logits, view.targets, { temp, variant });
      return {
        weights: tf.tensor1d(Float32Array.from(r.weights)),
        metrics: { w1: average(r.w1), w2: average(r.w2), gumPi: r.gum.pi, gumIterations: r.gum.nIter },
      };
    },
  });
}
