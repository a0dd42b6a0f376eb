import { tf, arcTargetCosine, checkChoice, checkNumber, constantOf, defineMargin, type MarginInput, type MarginOutput, type MarginPlugin, type PluginContext } from '@fr/core';
import type { BoundaryCorrection, BoundaryCorrectionEvent } from './corrections.js';
import { firstArgMax, maskColumn, pick } from './internal/row-select.js';

/**
 * Which form of the detection rule and of the regulariser:
 * - `official` (default) — what `head/boundaryMargin.py` computes. Its masked maxes floor both
 *   sides at 0: a sample is corrected iff max(0, max_{j≠y} φ_j) − max(0, cos θ_y) > 0, and
 *   r = relu(max(0, max_{j≠y′} cos θ_j) − max(0, φ_y′)).
 * - `clean` — the same formulas without the floors (the spec's bracketed form; not official code,
 *   and the paper's written form could not be checked): corrected iff max_{j≠y} φ_j > cos θ_y, and
 *   r = relu(max_{j≠y′} cos θ_j − φ_y′).
 */
export type BoundaryVariant = 'official' | 'clean';

/**
 * How `epochStart` is compared with the trainer's epoch (`ctx.epoch`, 0-based). Labels are
 * corrected iff `e > epochStart`, where
 * - `zero-based` (default): e = ctx.epoch — the DDP script (`train_DDP.py`, `epoch_start: 10`
 *   in head_conf.yaml: correction from the 12th epoch, trainer epoch 11);
 * - `one-based`: e = ctx.epoch + 1 — the conventional WebFace script (`train.py` counts epochs
 *   from 1; with the class default 7, correction from the 8th epoch, trainer epoch 7).
 */
export type EpochCounting = 'zero-based' | 'one-based';

/** Options of {@link boundaryFace}, e.g. `{ s: 32, m: 0.5, epochStart: 10 }`. */
export interface BoundaryFaceOptions {
  /** Scale s (default 32, the official class default and both training scripts). */
  readonly s?: number;
  /** Additive angular margin m in radians (default 0.5). */
  readonly m?: number;
  /**
   * Apply the margin only where cos > 0 (φ = cos elsewhere) instead of the th/mm fallback
   * (φ = cos − m·sin m where θ + m > π). Default false, as the official class.
   */
  readonly easyMargin?: boolean;
  /**
   * Labels are corrected (and the regulariser is on) in epochs after this one: iff
   * e > epochStart, with e as {@link BoundaryFaceOptions.epochCounting} says. Default 7, the
   * class default, which the 1-based WebFace script uses (there: from the 8th epoch); the MS1M DDP
   * script counts from 0 and sets 10. Any integer (−1: from the first epoch).
   */
  readonly epochStart?: number;
  /** Default `zero-based`: compare `ctx.epoch` itself. See {@link EpochCounting}. */
  readonly epochCounting?: EpochCounting;
  /**
   * Weight λ of the boundary regulariser (default π, hard-coded in the official head and added to
   * the cross-entropy with weight 1). 0 gives BoundaryF1: no regulariser term at all.
   */
  readonly lambda?: number;
  /** Default `official`. See {@link BoundaryVariant}. */
  readonly variant?: BoundaryVariant;
  /**
   * Receives the corrected samples of every training forward pass after `epochStart` (also when
   * none was corrected), once the rewritten labels are read back from the device: in a trainer,
   * during the step's `onStepEnd` (so before its `step` event, the next step or a checkpoint);
   * calling the head directly, when `onStepEnd()`/`onFitEnd()` is awaited. An exception thrown here
   * fails that hook (the trainer stops, naming the plugin).
   */
  readonly onCorrection?: (event: BoundaryCorrectionEvent) => void;
  /** Plugin name (default `boundaryface`, or `boundaryf1` from {@link boundaryF1}). */
  readonly name?: string;
}

/** A BoundaryFace margin head, with helpers for its epoch rule and correction reports. */
export interface BoundaryFacePlugin extends MarginPlugin {
  /** The first trainer epoch (0-based) whose steps correct labels. */
  readonly firstCorrectedEpoch: number;
  /** Whether forward passes in the trainer's (0-based) `epoch` correct labels. */
  corrects(epoch: number): boolean;
  /** Delivers every pending correction report (rejects with the first error `onCorrection` threw). */
  onStepEnd(): Promise<void>;
  /** The same at the end of a run. */
  onFitEnd(): Promise<void>;
  /** @deprecated The trainer now delivers reports in `onStepEnd`/`onFitEnd`; call those directly outside a trainer. Removed in the next minor release. */
  flush(): Promise<void>;
}

/** s·(onehot(y)·φ + (1 − onehot(y))·cos): ArcFace logits w.r.t. the targets `y`. */
function arcLogits(cos: tf.Tensor2D, phi: tf.Tensor2D, targets: tf.Tensor1D, s: number): tf.Tensor2D {
  return tf.tidy(() => {
    const onehot = tf.cast(tf.oneHot(tf.cast(targets, 'int32'), cos.shape[1]), 'float32');
    return tf.mul(tf.add(tf.mul(onehot, phi), tf.mul(tf.sub(1, onehot), cos)), s) as tf.Tensor2D;
  });
}

/**
 * BoundaryFace (Wu & Wu, ECCV 2022), as `head/boundaryMargin.py` computes it: an ArcFace head
 * (exact th/mm gradient, φ = cos(θ + m) for every class) that, after `epochStart`,
 *
 * 1. detects closed-set label noise, with no gradient: a sample whose best margin-penalised
 *    non-target logit beats its target cosine (`official`: max(0, max_{j≠y} φ_j) > max(0, cos θ_y))
 *    is relabelled j* = argmax_{j≠y} φ_j (first index on ties) — for this forward pass only: the
 *    dataset label is never changed and the rule is re-evaluated every time the sample is seen;
 * 2. returns the rewritten labels as `targets` (the trainer's cross-entropy uses them) and logits
 *    s·(onehot(y′)·φ + (1 − onehot(y′))·cos);
 * 3. adds the term `reg` = λ·mean_i r_i on the unscaled cosines, r_i = relu(max(0, max_{j≠y′} cos θ_j)
 *    − max(0, φ_y′)) (`official`), which pulls samples lying between their class and the nearest
 *    negative class. Each max gives its gradient to its one arg-max entry.
 *
 * Before that (e ≤ epochStart) it is plain th/mm ArcFace with `reg` = 0. The metric `corrected`
 * counts the corrected samples of the step.
 *
 * Differences from the official code, for safety only: cos is clamped to [−1, 1] and
 * sin θ = sqrt(max(1 − cos², 1e-12)), so values and gradients stay finite at |cos| = 1 (the
 * official head NaNs there); every other value is unchanged. The official `savedPath_<epoch>.txt`
 * log is replaced by `onCorrection`.
 *
 * With a Partial FC bank, detection only sees the sampled centres, and labels in correction
 * records are columns of the sampled cosine matrix, not class ids. The official method uses a full FC.
 * @example
 * ```ts
 * import { fullFC } from '@fr/core';
 * import { boundaryFace } from '@fr/loss-boundary';
 * const margin = boundaryFace({ epochStart: 10 });  // MS1M DDP recipe: from trainer epoch 11
 * const webface = boundaryFace({ epochCounting: 'one-based' }); // train.py: from the 8th epoch
 * createTrainer({ backbone, dataset, config, centers: fullFC({ numClasses, embeddingSize: 512 }), margin });
 * ```
 */
export function boundaryFace(options: BoundaryFaceOptions = {}): BoundaryFacePlugin {
  const owner = 'boundaryface';
  const s = checkNumber(owner, 's', options.s ?? 32, 'positive');
  const m = checkNumber(owner, 'm', options.m ?? 0.5, 'nonNegative');
  const lambda = checkNumber(owner, 'lambda', options.lambda ?? Math.PI, 'nonNegative');
  const epochStart = checkNumber(owner, 'epochStart', options.epochStart ?? 7, 'integer');
  const counting = checkChoice<EpochCounting>(owner, 'epochCounting', options.epochCounting ?? 'zero-based', ['zero-based', 'one-based']);
  const variant = checkChoice<BoundaryVariant>(owner, 'variant', options.variant ?? 'official', ['official', 'clean']);
  const fallback = (options.easyMargin ?? false) ? 'easy' : 'th-mm';
  const onCorrection = options.onCorrection;
  if (onCorrection !== undefined && typeof onCorrection !== 'function') throw new Error('boundaryface: onCorrection must be a function');
  const base = counting === 'one-based' ? 1 : 0;
  const corrects = (epoch: number): boolean => epoch + base > epochStart;

  const pending = new Set<Promise<void>>();
  let deliveryError: { error: unknown } | null = null;
  /** Waits for every pending report; the first error `onCorrection` threw is thrown once. */
  const deliverPending = async (): Promise<void> => {
    while (pending.size > 0) await Promise.all([...pending]);
    const failure = deliveryError;
    deliveryError = null;
    if (failure) throw failure.error;
  };

  /** Reads the (original, rewritten) targets back and hands the corrections to `onCorrection`. */
  const deliver = (pair: tf.Tensor, ctx: PluginContext): void => {
    const report = onCorrection as (event: BoundaryCorrectionEvent) => void;
    const job = (async () => {
      let values: Int32Array;
      try {
        values = (await pair.data()) as Int32Array;
      } finally {
        pair.dispose();
      }
      const b = values.length / 2;
      const corrections: BoundaryCorrection[] = [];
      for (let i = 0; i < b; i++) {
        const label = values[i] as number;
        const newLabel = values[b + i] as number;
        if (newLabel !== label) corrections.push({ position: i, label, newLabel });
      }
      report({ step: ctx.step, epoch: ctx.epoch, batchLabels: ctx.hostLabels, ids: ctx.ids, corrections });
    })().catch((error: unknown) => {
      deliveryError ??= { error };
    });
    pending.add(job);
    void job.finally(() => pending.delete(job));
  };

  const logits = ({ cosine, targets }: MarginInput, ctx: PluginContext): MarginOutput => {
    const [b, c] = cosine.shape;
    // With one column there is no other class to correct to.
    const correcting = corrects(ctx.epoch) && c >= 2;
    const report: { pair?: tf.Tensor } = {};
    const out = tf.tidy(() => {
      const cos = tf.clipByValue(cosine, -1, 1) as tf.Tensor2D;
      // φ = cos(θ + m) with the th/mm (or easy) fallback, for every class: detection needs all of them.
      const phi = tf.reshape(arcTargetCosine(tf.reshape(cos, [-1]) as tf.Tensor1D, m, fallback), [b, c]) as tf.Tensor2D;
      if (!correcting) {
        return {
          logits: arcLogits(cos, phi, targets, s),
          ...(lambda > 0 ? { terms: { reg: tf.scalar(0) } } : {}),
          metrics: { corrected: 0 },
        };
      }
      // Detection: values only (comparisons have no gradient in tfjs; the official code detaches it).
      const rectified = constantOf(cos, (cosValue) => {
        const others = maskColumn(phi, targets);
        const best = tf.max(others, -1);
        const cosY = pick(cosValue as tf.Tensor2D, targets);
        const noisy = variant === 'official' ? tf.greater(tf.sub(tf.relu(best), tf.relu(cosY)), 0) : tf.greater(best, cosY);
        return tf.where(noisy, firstArgMax(others), tf.cast(targets, 'int32')) as tf.Tensor1D;
      });
      const corrected = constantOf(cos, () => tf.sum(tf.cast(tf.notEqual(rectified, tf.cast(targets, 'int32')), 'float32')) as tf.Scalar);
      if (onCorrection && ctx.training) {
        report.pair = tf.keep(constantOf(cos, () => tf.concat([tf.cast(targets, 'int32'), rectified])));
      }
      const result = { logits: arcLogits(cos, phi, rectified, s), targets: rectified, metrics: { corrected } };
      if (lambda === 0) return result;
      // Boundary regulariser on unscaled cosines; the arg-max of the negatives is a constant.
      const nearest = constantOf(cos, (cosValue) => firstArgMax(maskColumn(cosValue as tf.Tensor2D, rectified)));
      const negative = pick(cos, nearest);
      const target = pick(phi, rectified);
      const r = variant === 'official' ? tf.relu(tf.sub(tf.relu(negative), tf.relu(target))) : tf.relu(tf.sub(negative, target));
      return { ...result, terms: { reg: tf.mul(tf.mean(r), lambda) as tf.Scalar } };
    });
    if (report.pair) deliver(report.pair, ctx);
    return out as MarginOutput;
  };

  const plugin = {
    name: options.name ?? 'boundaryface',
    provides: ['labels:rewrite'],
    firstCorrectedEpoch: epochStart + 1 - base,
    corrects,
    logits,
    onStepEnd: deliverPending,
    onFitEnd: deliverPending,
    flush: deliverPending,
  };
  return defineMargin(plugin) as BoundaryFacePlugin;
}

/** Options of {@link boundaryF1}: those of BoundaryFace without the regulariser weight. */
export type BoundaryF1Options = Omit<BoundaryFaceOptions, 'lambda'>;

/**
 * BoundaryF1 (`head/boundaryMargin1.py`, "BoundaryFace λ = 0"): the same label-noise detection
 * and per-step correction as {@link boundaryFace}, with no regulariser term at all; the loss is
 * the cross-entropy against the rewritten labels.
 * @example
 * ```ts
 * const margin = boundaryF1({ s: 32, m: 0.5, epochStart: 10 });
 * ```
 */
export function boundaryF1(options: BoundaryF1Options = {}): BoundaryFacePlugin {
  return boundaryFace({ ...options, lambda: 0, name: options.name ?? 'boundaryf1' });
}
