/**
 * One optimisation step, top to bottom: forward and backward per micro-batch with gradients,
 * terms and metrics summed by share, one read-back of every number the step needs, then either
 * the update (clipped) or the rollback of a rejected step.
 */
import { tf } from '../tf.js';
import { backendCapabilities } from '../backend/capabilities.js';
import type { Composition } from '../contract/compose.js';
import type { Plugin } from '../contract/plugin.js';
import type { HostBatch } from '../data/dataset.js';
import type { Rng } from '../random/rng.js';
import { scoped } from '../util/scope.js';
import { applyAugments } from './augment-chain.js';
import { hasEngineInternals, variableGradsFreeing } from './backprop.js';
import type { TrainerConfig } from './config.js';
import { forwardLoss, type Attributed, type LossParts, type StepEnv } from './forward-loss.js';
import type { Optimizer } from './optimizers/index.js';
import { restoreSnapshot, snapshotTensors, takeSnapshot } from './snapshot.js';
import { StepSums } from './step-sums.js';

/** What a step trains: the composition and the parameters the trainer registered. */
export interface StepModel {
  readonly composition: Composition;
  readonly plugins: readonly Plugin[];
  /** Trainable parameters by name (`backbone/…`, `plugin/<name>/…`). */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** Parameter name by tfjs variable name (how `variableGrads` keys its result). */
  readonly paramByVariable: ReadonlyMap<string, string>;
  /** Parameters whose gradients `clipGradNorm` measures and scales. */
  readonly clipScope: ReadonlySet<string>;
  readonly noDecay: ReadonlySet<string>;
  readonly optimizer: Optimizer;
  readonly config: TrainerConfig;
}

/** Where the step is and the random streams it draws from. */
export interface StepPlace {
  readonly step: number;
  readonly epoch: number;
  readonly lr: number;
  readonly rng: { readonly backbone: Rng; readonly probe: Rng; readonly plugin: (p: Plugin) => Rng };
}

/** The first non-finite quantity of a step, and the part of the composition it came from. */
export interface BadValue {
  readonly what: string;
  readonly source: string;
  readonly value: number;
}

export interface StepOutcome {
  readonly loss: number;
  readonly terms: Record<string, number>;
  readonly metrics: Record<string, number>;
  readonly gradNorm: number;
  readonly clipped: boolean;
  /** Set when the step was rejected (nothing updated; buffers and plugin state rolled back). */
  readonly bad: BadValue | null;
}

/** Runs one step on a validated host batch; see the file comment. */
export async function runStep(model: StepModel, batch: HostBatch, place: StepPlace): Promise<StepOutcome> {
  const kept: tf.Tensor[] = [];
  const keep = (t: tf.Tensor): void => void kept.push(t);
  try {
    // 1. Forward and backward per micro-batch.
    const pass = scoped(() => {
      const snapshot = takeSnapshot([model.composition.backbone.module, ...model.plugins.map((p) => p.module)], model.plugins);
      for (const t of snapshotTensors(snapshot)) keep(tf.keep(t));
      const grads = new StepSums<tf.Tensor>(keep);
      const terms = new StepSums<tf.Scalar>(keep);
      const metrics = new StepSums<number | tf.Scalar>(keep);
      const checks: Attributed<tf.Scalar>[] = [];
      for (const micro of microBatches(batch, model.config.microBatchSize)) {
        scoped(() => {
          const parts = forwardBackward(model, micro, place, keep);
          for (const [variableName, grad] of Object.entries(parts.grads)) {
            grads.add(model.paramByVariable.get(variableName) as string, 'backpropagation', grad, micro.share);
          }
          checks.push(...parts.loss.checks);
          for (const t of parts.loss.terms) terms.add(t.key, t.source, t.value, micro.share);
          for (const m of [...parts.augmentMetrics, ...parts.loss.metrics]) metrics.add(m.key, m.source, m.value, micro.share);
        });
      }
      const clipped = grads.entries().filter((g) => model.clipScope.has(g.key));
      // Σg² once per gradient, shared by the clipped norm and the all-gradients check.
      const squares = new Map(grads.entries().map((g) => [g.key, tf.sum(tf.square(g.value))]));
      const normSq = clipped.length > 0 ? tf.addN(clipped.map((g) => squares.get(g.key) as tf.Scalar)) : tf.scalar(0);
      const allSq = tf.addN([...squares.values()]);
      const tensorMetrics = metrics.entries().filter((m): m is Attributed<tf.Scalar> => typeof m.value !== 'number');
      const readBack = tf.stack([...checks.map((c) => c.value), ...terms.entries().map((t) => t.value), ...tensorMetrics.map((m) => tf.reshape(m.value, [])), normSq, allSq]);
      keep(tf.keep(readBack));
      return { snapshot, grads, terms, metrics, checks, tensorMetrics, readBack };
    });

    // 2. The step's single read-back.
    const values = await pass.readBack.data();
    const deviceErrors = backendCapabilities().drainDeviceErrors();
    if (deviceErrors.length > 0) {
      scoped(() => restoreSnapshot(pass.snapshot));
      throw new Error(`The ${tf.getBackend()} device reported an error during step ${place.step}; the update was not applied: ${deviceErrors.join('; ')}`);
    }
    const read = reader(values);
    const first: { bad: BadValue | null } = { bad: null };
    const flag = (what: string, source: string, value: number): void => {
      if (!first.bad && !Number.isFinite(value)) first.bad = { what, source, value };
    };
    for (const c of pass.checks) flag(`its ${c.key}`, c.source, read());
    const terms: Record<string, number> = {};
    for (const t of pass.terms.entries()) flag(`term "${t.key}"`, t.source, (terms[t.key] = read()));
    const metrics: Record<string, number> = {};
    for (const m of pass.metrics.entries()) if (typeof m.value === 'number') metrics[m.key] = m.value;
    for (const m of pass.tensorMetrics) metrics[m.key] = read();
    const gradNorm = Math.sqrt(read());
    flag('a gradient', 'backpropagation (the loss is finite: check custom gradients)', read());
    const loss = Object.values(terms).reduce((a, b) => a + b, 0);
    const { bad } = first;

    // 3. Roll back a rejected step, or clip and update.
    const clip = model.config.clipGradNorm;
    const clipped = !bad && clip != null && gradNorm > clip.maxNorm;
    scoped(() => {
      if (bad) return restoreSnapshot(pass.snapshot);
      if (clipped && clip) {
        // torch.nn.utils.clip_grad_norm_: scale by max/(norm + 1e-6).
        const factor = clip.maxNorm / (gradNorm + 1e-6);
        for (const name of model.clipScope) {
          const g = pass.grads.get(name);
          if (g) pass.grads.set(name, tf.mul(g, factor));
        }
      }
      model.optimizer.apply(model.params, new Map(pass.grads.entries().map((g) => [g.key, g.value])), place.lr, model.noDecay);
    });
    return { loss, terms, metrics, gradNorm, clipped, bad };
  } finally {
    for (const t of kept) t.dispose();
  }
}

interface MicroBatch {
  readonly batch: HostBatch;
  /** Its fraction of the whole batch: the weight of its gradients, terms and metrics. */
  readonly share: number;
}

/** The batch cut into micro-batches of `size` (one, the batch itself, without a size). */
function* microBatches(batch: HostBatch, size: number | undefined): Generator<MicroBatch> {
  const [b, h, w, c] = batch.shape;
  const n = Math.min(b, size ?? b);
  if (n === b) {
    // Plugins get the batch's own labels array when there is a single micro-batch.
    yield { batch, share: 1 };
    return;
  }
  const pixels = h * w * c;
  for (let start = 0; start < b; start += n) {
    const end = Math.min(b, start + n);
    yield {
      batch: {
        images: batch.images.subarray(start * pixels, end * pixels),
        labels: batch.labels.subarray(start, end),
        shape: [end - start, h, w, c],
        ...(batch.ids ? { ids: batch.ids.slice(start, end) } : {}),
      },
      share: (end - start) / b,
    };
  }
}

/**
 * Augment, forward and backward of one micro-batch (inside the caller's scope). The loss parts
 * are read after the tape's scope closes, so they are kept and handed to `keep` (freed with the step).
 */
function forwardBackward(model: StepModel, micro: MicroBatch, place: StepPlace, keep: (t: tf.Tensor) => void): { grads: Record<string, tf.Tensor>; loss: LossParts; augmentMetrics: Attributed<number | tf.Scalar>[] } {
  const { images: pixels, labels: hostLabels, shape, ids } = micro.batch;
  const env: StepEnv = {
    step: place.step, epoch: place.epoch, training: true, hostLabels, ids,
    backboneRng: place.rng.backbone, pluginRng: place.rng.plugin, crossEntropy: model.config.crossEntropy,
  };
  const images = tf.tensor4d(pixels, shape as [number, number, number, number]);
  const labels = tf.tensor1d(hostLabels, 'int32');
  const augmentMetrics: Attributed<number | tf.Scalar>[] = [];
  const context = (p: Plugin) => ({ step: place.step, epoch: place.epoch, training: true, rng: place.rng.plugin(p), hostLabels, ids });
  const inputs = applyAugments(model.composition.augments ?? [], { input: images, clean: images, labels }, context, { backbone: model.composition.backbone, rng: place.rng.probe }, augmentMetrics);
  let loss: LossParts | undefined;
  const differentiate = hasEngineInternals() ? variableGradsFreeing : tf.variableGrads;
  const { grads } = differentiate(() => {
    loss = forwardLoss(model.composition, inputs, env);
    for (const t of [...loss.terms, ...loss.checks]) keep(tf.keep(t.value));
    for (const m of loss.metrics) if (typeof m.value !== 'number') keep(tf.keep(m.value));
    return loss.total;
  }, [...model.params.values()]);
  return { grads, loss: loss!, augmentMetrics };
}

/** Reads a Float32Array front to back. */
function reader(values: ArrayLike<number>): () => number {
  let i = 0;
  return () => values[i++] as number;
}
