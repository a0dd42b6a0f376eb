/**
 * EHSM — Entropy-guided Hard Sample Mining (TransFace, spec §3.3): a per-sample weight on the
 * classification loss from how much "information" the backbone's local tokens carry.
 */
import { tf, constantOf, defineLoss, unbiasedStd, type LossPlugin, checkChoice, checkNumber } from '@fr/core';

/**
 * What H_i (one value per token) is made of.
 * - `std`: the official code — the unbiased standard deviation over the D channels of each
 *   re-weighted token X′ = g·X (`torch.std(out_x, dim=2)`, named `patch_entropy` there).
 * - `entropy`: the paper's form, the Gaussian upper bound of each token's entropy,
 *   ½·log(2πe·σ²) [paper, unverified: the formula is commented out in the released code].
 */
export type EhsmSource = 'std' | 'entropy';

/** Options of {@link ehsm}. Defaults are the official ones. */
export interface EhsmOptions {
  /** γ in w = 1 + exp(−γ·H̄) (official 1). */
  readonly gamma?: number;
  /**
   * How many of the largest H values are averaged into H̄ (official `K_ = 144` = every token of
   * the 112/9 ViT). Default: all tokens, whatever their number.
   */
  readonly topK?: number;
  /** Default `std` (the official code). */
  readonly source?: EhsmSource;
  /**
   * `entropy` source only: σ is floored at this value before the log, so a token with exactly
   * equal channels gives a large finite weight instead of +∞ (default 1e-6, an @fr choice).
   */
  readonly minStd?: number;
  /** Plugin name (default `ehsm`). */
  readonly name?: string;
}

/** The EHSM quantities of a batch. All are constants (no gradient flows into the tokens). */
export interface EhsmWeights {
  /** `(B, N)` per-token H (σ itself for `std`, ½·log(2πe·σ²) for `entropy`). */
  readonly entropy: tf.Tensor2D;
  /** `(B,)` H̄ = γ·mean of the top-K H of each sample. */
  readonly hbar: tf.Tensor1D;
  /** `(B,)` w = 1 + exp(−H̄), in (1, 2] for the `std` source. */
  readonly weights: tf.Tensor1D;
}

interface ResolvedEhsm {
  readonly gamma: number;
  readonly topK: number | undefined;
  readonly source: EhsmSource;
  readonly minStd: number;
}

function resolve(owner: string, options: EhsmOptions): ResolvedEhsm {
  return {
    gamma: checkNumber(owner, 'gamma', options.gamma ?? 1, 'finite'),
    topK: options.topK === undefined ? undefined : checkNumber(owner, 'topK', options.topK, 'positiveInteger'),
    source: checkChoice(owner, 'source', options.source ?? 'std', ['std', 'entropy']),
    minStd: checkNumber(owner, 'minStd', options.minStd ?? 1e-6, 'positive'),
  };
}

const HALF_LOG_2PI_E = 0.5 * Math.log(2 * Math.PI * Math.E);


/**
 * Unbiased (÷(D−1)) standard deviation over the channels of each token, `(B, N, D)` → `(B, N)`,
 * like `torch.std(tokens, dim=2)` — the official `patch_entropy`, and the `patchStd` aux output of
 * the `@fr/backbones` ViT. Differentiable, with a zero (not NaN) gradient where a token's channels
 * are all equal. EHSM itself computes it off the tape; this is for logging and your own losses.
 */
export function tokenStd(tokens: tf.Tensor3D): tf.Tensor2D {
  return unbiasedStd(tokens, 2) as tf.Tensor2D;
}

function checkTokens(owner: string, tokens: tf.Tensor, topK: number | undefined, batch?: number): void {
  if (tokens.rank !== 3) throw new Error(`${owner}: aux "tokens" must be (B, N, D) re-weighted tokens, got shape [${tokens.shape}]`);
  if (batch !== undefined && tokens.shape[0] !== batch) throw new Error(`${owner}: aux "tokens" has ${tokens.shape[0]} rows for a batch of ${batch}`);
  const n = tokens.shape[1] as number;
  if (topK !== undefined && topK > n) throw new Error(`${owner}: topK ${topK} exceeds the ${n} tokens of aux "tokens"`);
}

/** H from the tokens, as tensors (no tape: called inside `constantOf`). */
function entropyOf(tokens: tf.Tensor, o: ResolvedEhsm): tf.Tensor {
  const std = unbiasedStd(tokens, 2);
  return o.source === 'std' ? std : tf.add(tf.log(tf.maximum(std, o.minStd)), HALF_LOG_2PI_E);
}

function hbarOf(tokens: tf.Tensor, o: ResolvedEhsm): tf.Tensor {
  const h = entropyOf(tokens, o);
  const n = h.shape[1] as number;
  const k = o.topK ?? n;
  const top = k === n ? h : tf.topk(h, k, true).values;
  return tf.mul(tf.mean(top, 1), o.gamma);
}

const weightsOf = (tokens: tf.Tensor, o: ResolvedEhsm): tf.Tensor1D => tf.add(tf.exp(tf.neg(hbarOf(tokens, o))), 1) as tf.Tensor1D;

/**
 * The EHSM quantities of a batch of re-weighted tokens `(B, N, D)`: H per token (σ over the
 * channels, or the paper's Gaussian entropy), H̄ = γ·mean(top-K H), w = 1 + exp(−H̄).
 * Everything is computed off the gradient tape, as one node whose gradient is zero: the official
 * code passes w through a global variable and its custom autograd returns no gradient for it.
 * @example
 * ```ts
 * const { weights } = ehsmWeights(aux.tokens as tf.Tensor3D, { gamma: 1 }); // (B,) in (1, 2]
 * ```
 */
export function ehsmWeights(tokens: tf.Tensor3D, options: Omit<EhsmOptions, 'name'> = {}): EhsmWeights {
  const o = resolve('ehsmWeights', options);
  checkTokens('ehsmWeights', tokens, o.topK);
  return tf.tidy(() => ({
    entropy: constantOf(tokens, (t) => entropyOf(t, o) as tf.Tensor2D),
    hbar: constantOf(tokens, (t) => hbarOf(t, o) as tf.Tensor1D),
    weights: constantOf(tokens, (t) => weightsOf(t, o)),
  }));
}

/**
 * TransFace EHSM as a loss plugin: per-sample weights w_i = 1 + exp(−γ·mean of the top-K H_i)
 * on the classification loss, so that samples whose tokens carry little information (low token
 * std: blurred, occluded, low-quality faces) count up to twice as much.
 *
 * **Contract.** Requires the backbone's auxiliary output `tokens` `(B, N, D)`: the tokens after the
 * SE gate (X′ = g·X), whose per-token std the official code takes. The `@fr/backbones` ViTs
 * (`transface_*`, any `vit_*`) provide them, and so does the conformance kit's tiny backbone.
 * The std is recomputed here inside one zero-gradient node rather than read from the ViT's
 * `patchStd`: that keeps the backbone's own std (and its √ at zero spread, whose backward is
 * 0·∞ = NaN) off the gradient path altogether.
 *
 * The weights are constants (detached), and the trainer's classification loss is
 * (1/B)·Σ w_i·CE_i — divided by B, not Σw — exactly as the official `DistCrossEntropyFunc`.
 * To reproduce TransFace exactly, combine with the straight-through ArcFace of
 * `@fr/loss-arcface` (`arcface({ s: 64, m: 0.5, gradient: 'straight-through' })`) and the
 * trainer option `crossEntropy: { minProbability: 1e-30 }` (insightface's clamped loss value
 * with the unclamped gradient).
 *
 * Logged metrics: `meanWeight` and `meanHbar` of the batch.
 * @example
 * ```ts
 * const losses = [ehsm()];                           // γ 1, all tokens, official token std
 * const paper = ehsm({ source: 'entropy', topK: 72 }); // the paper's Gaussian entropy [unverified]
 * ```
 */
export function ehsm(options: EhsmOptions = {}): LossPlugin {
  const name = options.name ?? 'ehsm';
  const o = resolve(`ehsm "${name}"`, options);
  return defineLoss({
    name,
    requires: ['aux:tokens'],
    sampleWeights: (view) => {
      const tokens = view.aux.tokens;
      if (!tokens) throw new Error(`ehsm "${name}": the backbone returned no aux "tokens" ((B, N, D) tokens after the SE gate)`);
      checkTokens(`ehsm "${name}"`, tokens, o.topK, view.labels.shape[0]);
      return tf.tidy(() => {
        const weights = constantOf(tokens, (t) => weightsOf(t, o));
        const hbar = constantOf(tokens, (t) => hbarOf(t, o));
        return { weights, metrics: { meanWeight: tf.mean(weights) as tf.Scalar, meanHbar: tf.mean(hbar) as tf.Scalar } };
      });
    },
  });
}
