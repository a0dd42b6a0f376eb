/**
 * The @fr plugin contract. A plugin is a plain object with a `name`, a `kind` and typed hooks,
 * in the spirit of Vite/Rollup plugins. Four kinds compose one training step:
 *
 * ```
 * batch ─► augment plugins ─► backbone ─► centre bank ─► margin head ─► cross-entropy ─┐
 *             (input, clean)    (embedding,   (cosine,      (logits,        × sample     ├─► total loss
 *                                aux)          targets)      targets′)        weights     │
 *                                      loss plugins: sampleWeights(), terms() ───────────┘
 * ```
 *
 * - {@link CenterBankPlugin}: class centres → cosines (full FC, Partial FC, sub-centres).
 * - {@link MarginPlugin}: cosines → logits, may rewrite the targets for this step (BoundaryFace)
 *   and add terms (BoundaryFace's regulariser, MagFace's g(a)).
 * - {@link LossPlugin}: detached per-sample weights for the classification loss (TransFace EHSM,
 *   TopoFR SDS) and extra differentiable terms (TopoFR ISA, triplet, centre loss).
 * - {@link AugmentPlugin}: input transforms before the step; may run a no-grad probe pass of the
 *   backbone first (TransFace DPAP ranks patches by the SE gate's weights).
 *
 * Each plugin declares what it `requires` and `provides` ({@link Capability}) so that an impossible
 * composition is rejected before training, with a message naming the plugins.
 */
import type { tf } from '../tf.js';
import type { Module } from '../nn/module.js';
import type { Rng } from '../random/rng.js';
import type { BackboneOutput } from './backbone.js';

/**
 * A named thing a step offers or a plugin needs. Built in:
 * - `embedding`, `labels`, `input`, `input:clean`, `probe` — always present;
 * - `aux:<name>` — auxiliary backbone outputs (see `Backbone.auxOutputs`);
 * - `cosine` — with a centre bank; `logits`, `targets`, `perSampleLoss` — with a margin head;
 * - `batch:<property>` — promised by the dataset (e.g. `batch:m-per-class`).
 * Plugins may provide their own (e.g. `labels:rewrite`).
 */
export type Capability = string;

/** Scalars a hook wants logged for this step (numbers or scalar tensors, which the trainer reads). */
export type Metrics = Readonly<Record<string, number | tf.Scalar>>;

/**
 * Serialisable plugin state: JSON plus named tensors (the trainer checkpoints both).
 *
 * Ownership: tensors returned by `getState()` stay the plugin's (the trainer reads or clones
 * them and never frees them); tensors passed to `setState()` are the trainer's, freed right after
 * the call — a plugin must copy what it keeps (`tf.clone` + `tf.keep`, or `variable.assign`).
 * {@link StateTensors} does both right.
 */
export interface PluginState {
  readonly json?: unknown;
  readonly tensors?: Readonly<Record<string, tf.Tensor>>;
}

/** Per-call information handed to every hook. */
export interface PluginContext {
  /** Global optimisation step being computed (0-based). */
  readonly step: number;
  /** Epoch (0-based) the step belongs to. */
  readonly epoch: number;
  /** True in a training step; false in evaluation and conformance probes of the forward value. */
  readonly training: boolean;
  /** This plugin's own random stream (seeded per run and plugin name, checkpointed). */
  readonly rng: Rng;
  /**
   * The batch's dataset labels on the host. Read these instead of `labels.dataSync()`: GPU
   * backends in Node cannot read device memory synchronously.
   */
  readonly hostLabels: Int32Array;
  /** Source identifiers of the batch's examples (file paths, record ids) when the dataset gives them. */
  readonly ids?: readonly string[];
}

/** What every plugin has. */
export interface PluginBase {
  /** Unique within a composition; prefixes the plugin's logged terms and checkpoint entries. */
  readonly name: string;
  readonly requires?: readonly Capability[];
  readonly provides?: readonly Capability[];
  /** Capabilities this plugin cannot be combined with (e.g. a loss that needs dataset labels unchanged). */
  readonly conflicts?: readonly Capability[];
  /** Weights owned by the plugin (e.g. class centres): trained with the backbone and checkpointed. */
  readonly module?: Module;
  /**
   * Non-weight state (EMA statistics, counters): checkpointed, restored on resume and rolled back
   * with a rejected (non-finite) step. Returns tensors the plugin keeps owning (see {@link PluginState}).
   */
  getState?(): PluginState;
  /** Restores state: copy what you keep, the caller frees `state.tensors` right after the call. */
  setState?(state: PluginState): void;
  /** Frees tensors the plugin holds. */
  dispose?(): void;

  // Lifecycle hooks: awaited by the trainer in this order; an error stops the run naming the plugin.
  /** Once per `fit()`, before its first step (after a resume has restored the state). */
  onFitStart?(info: FitStartInfo): void | Promise<void>;
  /**
   * After every optimisation step (its update applied or, for a rejected step, rolled back),
   * before the next step, a checkpoint or an evaluation. Deliver per-step results here (e.g. the
   * asynchronous read-back of what the step computed).
   */
  onStepEnd?(info: StepEndInfo): void | Promise<void>;
  /** Once when `fit()` ends, however it ends (also after an error): flush what is pending. */
  onFitEnd?(info: FitEndInfo): void | Promise<void>;
}

/** What {@link PluginBase.onFitStart} is told. */
export interface FitStartInfo {
  /** The first step this run computes (> 0 after a resume). */
  readonly step: number;
  readonly totalSteps: number;
  /** The checkpoint the run resumed from, or null. */
  readonly resumedFrom: string | null;
}

/** What {@link PluginBase.onStepEnd} is told. */
export interface StepEndInfo {
  /** The step just computed (0-based). */
  readonly step: number;
  readonly epoch: number;
  /** True when the step was rejected (non-finite, policy `skip`): its update was rolled back. */
  readonly skipped: boolean;
}

/** What {@link PluginBase.onFitEnd} is told. */
export interface FitEndInfo {
  /** Steps completed. */
  readonly step: number;
  /** `stopped`: an error ended the run (it is rethrown after the hooks). */
  readonly reason: 'completed' | 'interrupted' | 'stopped';
}

// ───────────────────────────── centre banks ─────────────────────────────

export interface CenterBankInput {
  /** Raw embeddings `(B, d)`. */
  readonly embedding: tf.Tensor2D;
  /** Dataset labels `(B,)` int32, in `[0, numClasses)`. */
  readonly labels: tf.Tensor1D;
}

export interface CenterBankOutput {
  /** Cosines `(B, C′)` to the centres active this step, clamped to [−1, 1]. */
  readonly cosine: tf.Tensor2D;
  /** Each sample's column in `cosine` `(B,)` int32 (equals labels for a full FC). */
  readonly targets: tf.Tensor1D;
  readonly metrics?: Metrics;
}

/** Holds the class centres and turns embeddings into cosines. */
export interface CenterBankPlugin extends PluginBase {
  readonly kind: 'centers';
  readonly numClasses: number;
  readonly embeddingSize: number;
  cosine(input: CenterBankInput, ctx: PluginContext): CenterBankOutput;
}

// ───────────────────────────── margin heads ─────────────────────────────

export interface MarginInput {
  /** `(B, C′)` clamped cosines from the centre bank. */
  readonly cosine: tf.Tensor2D;
  /** `(B,)` int32 target columns. */
  readonly targets: tf.Tensor1D;
  /** `(B,)` L2 norms of the raw embeddings (AdaFace, MagFace use them). */
  readonly embeddingNorm: tf.Tensor1D;
  /** Raw embeddings `(B, d)`. */
  readonly embedding: tf.Tensor2D;
}

export interface MarginOutput {
  /** Scaled logits `(B, C′)` for the softmax cross-entropy. */
  readonly logits: tf.Tensor2D;
  /** Targets for the cross-entropy when the head rewrites them this step (constants). */
  readonly targets?: tf.Tensor1D;
  /** Extra differentiable scalars added to the total loss as they are (the head applies its weight). */
  readonly terms?: Readonly<Record<string, tf.Scalar>>;
  readonly metrics?: Metrics;
}

/** Turns cosines into margin logits (ArcFace, CosFace, BoundaryFace…). */
export interface MarginPlugin extends PluginBase {
  readonly kind: 'margin';
  logits(input: MarginInput, ctx: PluginContext): MarginOutput;
}

// ───────────────────────────── loss plugins ─────────────────────────────

/** Everything a loss plugin may read about the step. Optional fields depend on the composition. */
export interface LossView {
  /** What the backbone saw (after augmentation), NHWC. */
  readonly input: tf.Tensor4D;
  /** The un-perturbed batch (TopoFR ISA's X), NHWC. */
  readonly cleanInput: tf.Tensor4D;
  /** Dataset labels `(B,)` int32. */
  readonly labels: tf.Tensor1D;
  /** Raw embeddings `(B, d)`. */
  readonly embedding: tf.Tensor2D;
  readonly aux: Readonly<Record<string, tf.Tensor>>;
  /** With a centre bank. */
  readonly cosine?: tf.Tensor2D;
  /** With a margin head: the scaled logits and the targets the cross-entropy uses. */
  readonly logits?: tf.Tensor2D;
  readonly targets?: tf.Tensor1D;
  /** With a margin head: the per-sample cross-entropy `(B,)` before weighting. */
  readonly perSampleLoss?: tf.Tensor1D;
}

export interface SampleWeightsOutput {
  /** `(B,)` weights; the trainer treats them as constants (both TransFace and TopoFR detach them). */
  readonly weights: tf.Tensor1D;
  readonly metrics?: Metrics;
}

export interface TermsOutput {
  /** Differentiable scalars added to the total loss as they are (the plugin applies its weight). */
  readonly terms: Readonly<Record<string, tf.Scalar>>;
  readonly metrics?: Metrics;
}

/** Adds per-sample weights and/or loss terms. */
export interface LossPlugin extends PluginBase {
  readonly kind: 'loss';
  /** The classification loss becomes (1/B)·Σ w_i·CE_i (weights from all plugins multiply). */
  sampleWeights?(view: LossView, ctx: PluginContext): SampleWeightsOutput;
  terms?(view: LossView, ctx: PluginContext): TermsOutput;
}

// ───────────────────────────── augmentations ─────────────────────────────

export interface AugmentBatch {
  /** What the backbone will see, NHWC normalised. */
  readonly input: tf.Tensor4D;
  /** What "clean input" consumers (TopoFR ISA) see. Pure input transforms like flips change both. */
  readonly clean: tf.Tensor4D;
  readonly labels: tf.Tensor1D;
}

export interface AugmentContext extends PluginContext {
  /**
   * A no-grad forward of the backbone on `batch.input` in training mode (batch-norm statistics
   * update, as in TransFace's DPAP probe). Computed at most once per call of `apply`.
   */
  probe(): BackboneOutput;
}

export interface AugmentOutput {
  readonly input: tf.Tensor4D;
  /**
   * What "clean input" consumers (TopoFR ISA) see after this augment. Say it explicitly:
   * - `'same-as-input'`: a pure input transform (flip, crop, colour): clean = the new `input`;
   * - `'unchanged'`: a perturbation the clean view must not see (DPAP, erasing): clean stays as it came;
   * - a tensor: anything else (RSP's official erasing leak into the clean batch).
   */
  readonly clean: tf.Tensor4D | 'same-as-input' | 'unchanged';
  readonly metrics?: Metrics;
}

/** Transforms a batch before the step (declare `requires: ['probe', …]` to use the probe). */
export interface AugmentPlugin extends PluginBase {
  readonly kind: 'augment';
  apply(batch: AugmentBatch, ctx: AugmentContext): AugmentOutput;
}

export type Plugin = CenterBankPlugin | MarginPlugin | LossPlugin | AugmentPlugin;
export type PluginKind = Plugin['kind'];
