/**
 * The trainer: composes a backbone, a centre bank, a margin head, loss and augment plugins over a
 * dataset; optimises with SGD or AdamW under a learning-rate schedule; guards against NaN/Inf;
 * logs events; checkpoints atomically and resumes exactly (weights, optimiser slots, plugin state,
 * RNG streams, data position).
 */
import { tf } from '../tf.js';
import { currentBackend } from '../backend/select-backend.js';
import { takeDeviceErrors } from '../backend/device-errors.js';
import { isNode } from '../backend/environment.js';
import { validateComposition, plugins as pluginsOf, type Composition } from '../contract/compose.js';
import type { AugmentContext, Plugin, PluginState } from '../contract/plugin.js';
import type { BackboneOutput } from '../contract/backbone.js';
import type { HostBatch, TrainingDataset } from '../data/dataset.js';
import { Rng, type RngState } from '../random/rng.js';
import type { CheckpointContents, HostTensor } from '../checkpoint/format.js';
import { checkpointPath, latestCheckpoint, pruneCheckpoints, readCheckpointFile, writeCheckpointFile } from '../checkpoint/files.js';
import { parseTrainerConfig, type TrainerConfig, type TrainerConfigInput } from './config.js';
import type { EventOf, StepEvent, TrainerEvent, TrainerEventType } from './events.js';
import { describePlugin } from '../contract/describe.js';
import { forwardLoss, type Attributed, type LossParts, type StepEnv, type StepInputs } from './forward-loss.js';
import { jsonlWriter } from './jsonl-log.js';
import { makeLrSchedule, type LrSchedule } from './lr-schedule.js';
import { NonFiniteLossError } from './non-finite.js';
import { makeOptimizer, type Optimizer } from './optimizers/index.js';
import { progressBar } from './progress.js';
import { scoped } from '../util/scope.js';

/** Runs every `every` steps (e.g. a verification benchmark); its numbers become an `eval` event. */
export interface TrainerCallback {
  readonly name: string;
  readonly every: number;
  /** Called between steps; run the backbone with `training: false` to evaluate it. */
  run(args: { readonly backbone: Composition['backbone']; readonly step: number; readonly epoch: number }): Promise<Record<string, number>> | Record<string, number>;
}

export interface TrainerOptions extends Omit<Composition, 'dataset'> {
  readonly dataset: TrainingDataset;
  readonly config: TrainerConfigInput;
  readonly callbacks?: readonly TrainerCallback[];
}

export interface FitOptions {
  /** A checkpoint file to resume from, or `'latest'` for the newest in `config.checkpoint.dir`. */
  readonly resume?: string;
  /** Aborting stops after the current step, with a checkpoint when checkpointing is configured. */
  readonly signal?: AbortSignal;
  /** Save a checkpoint and stop on SIGINT (Ctrl-C). Default true in Node. */
  readonly handleSigint?: boolean;
}

export interface FitResult {
  readonly reason: 'completed' | 'interrupted';
  readonly step: number;
  readonly lastCheckpoint: string | null;
}

type Listener = (event: TrainerEvent) => void;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class Trainer {
  readonly config: TrainerConfig;
  readonly totalSteps: number;
  /** Steps completed so far (the next step's 0-based index). */
  get step(): number {
    return this.position.step;
  }
  get epoch(): number {
    return this.position.epoch;
  }

  private readonly composition: Composition;
  private readonly dataset: TrainingDataset;
  private readonly callbacks: readonly TrainerCallback[];
  private readonly plugins: readonly Plugin[];
  private readonly optimizer: Optimizer;
  private readonly schedule: LrSchedule;
  private readonly params = new Map<string, tf.Variable>();
  private readonly clipScope = new Set<string>();
  private readonly noDecay = new Set<string>();
  private readonly paramByVariable = new Map<string, string>();
  private readonly numClasses: number | undefined;
  private readonly listeners = new Map<TrainerEventType, Set<Listener>>();
  private rngs: { backbone: Rng; probe: Rng; plugins: Map<string, Rng> };
  private position = { step: 0, epoch: 0, batchInEpoch: 0 };
  private consecutiveSkips = 0;
  private lastCheckpoint: string | null = null;
  private interruptRequested = false;

  constructor(options: TrainerOptions) {
    this.config = parseTrainerConfig(options.config);
    this.composition = {
      backbone: options.backbone,
      centers: options.centers,
      margin: options.margin,
      losses: options.losses ?? [],
      augments: options.augments ?? [],
      dataset: { numClasses: options.dataset.numClasses, provides: options.dataset.provides },
    };
    validateComposition(this.composition);
    this.dataset = options.dataset;
    this.callbacks = options.callbacks ?? [];
    for (const cb of this.callbacks) {
      if (!Number.isInteger(cb.every) || cb.every <= 0) throw new Error(`callback "${cb.name}": every must be a positive integer, got ${cb.every}`);
    }
    this.plugins = pluginsOf(this.composition);
    this.numClasses = options.centers?.numClasses ?? options.dataset.numClasses;

    const batchesPerEpoch = Math.floor(options.dataset.size / this.config.batchSize);
    if (batchesPerEpoch === 0) {
      throw new Error(`The dataset has ${options.dataset.size} examples, fewer than one batch of ${this.config.batchSize}`);
    }
    this.totalSteps = this.config.steps ?? (this.config.epochs as number) * batchesPerEpoch;

    const addModule = (prefix: string, module: Plugin['module'], clipped: boolean): void => {
      if (!module) return;
      for (const [name, variable] of module.trainableVariables()) {
        this.params.set(prefix + name, variable);
        this.paramByVariable.set(variable.name, prefix + name);
        if (clipped) this.clipScope.add(prefix + name);
      }
      for (const name of module.noDecayNames()) this.noDecay.add(prefix + name);
    };
    const clipAll = this.config.clipGradNorm?.scope === 'all';
    addModule('backbone/', options.backbone.module, true);
    for (const p of this.plugins) addModule(`plugin/${p.name}/`, p.module, clipAll);
    if (this.params.size === 0) throw new Error('Nothing is trainable: the backbone and plugins have no trainable parameters');

    this.optimizer = makeOptimizer(this.config.optimizer);
    this.schedule = makeLrSchedule(this.config.schedule, this.config.optimizer.lr, this.totalSteps);
    this.rngs = this.freshRngs();
  }

  private freshRngs(): { backbone: Rng; probe: Rng; plugins: Map<string, Rng> } {
    const root = Rng.fromSeed(this.config.seed);
    return {
      backbone: root.fork('backbone'),
      probe: root.fork('probe'),
      plugins: new Map(this.plugins.map((p) => [p.name, root.fork(`plugin:${p.name}`)])),
    };
  }

  /** Subscribes to an event type; returns the unsubscribe function. */
  on<K extends TrainerEventType>(type: K, listener: (event: EventOf<K>) => void): () => void {
    const set = this.listeners.get(type) ?? new Set<Listener>();
    set.add(listener as Listener);
    this.listeners.set(type, set);
    return () => set.delete(listener as Listener);
  }

  private emit(event: TrainerEvent): void {
    for (const listener of this.listeners.get(event.type) ?? []) listener(event);
  }

  /** Number of parameters optimised (frozen ones excluded). */
  get parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  private validateBatch(batch: HostBatch): void {
    const [b, h, w, ch] = batch.shape;
    const size = this.composition.backbone.config.inputSize;
    const where = (i: number): string => (batch.ids?.[i] ? ` (${batch.ids[i]})` : '');
    if (batch.shape.length !== 4 || ch !== 3) throw new Error(`Batch images must be NHWC with 3 channels, got shape [${batch.shape}]`);
    if (h !== size || w !== size) {
      throw new Error(`Batch images are ${h}x${w} but backbone "${this.composition.backbone.name}" takes ${size}x${size}: resize in the data pipeline`);
    }
    if (batch.images.length !== b * h * w * ch) throw new Error(`Batch has ${batch.images.length} pixel values for shape [${batch.shape}]`);
    if (batch.labels.length !== b) throw new Error(`Batch has ${b} images but ${batch.labels.length} labels`);
    if (this.numClasses !== undefined) {
      for (let i = 0; i < b; i++) {
        const y = batch.labels[i] as number;
        if (!(y >= 0 && y < this.numClasses)) {
          throw new Error(`Label ${y} of image ${i}${where(i)} is outside [0, ${this.numClasses}): the dataset and the center bank disagree on the number of classes`);
        }
      }
    }
  }

  private env(training: boolean, hostLabels: Int32Array): StepEnv {
    return {
      step: this.position.step,
      epoch: this.position.epoch,
      training,
      hostLabels,
      backboneRng: this.rngs.backbone,
      pluginRng: (p) => this.rngs.plugins.get(p.name) as Rng,
      crossEntropy: this.config.crossEntropy,
    };
  }

  private augment(images: tf.Tensor4D, labels: tf.Tensor1D, metrics: Attributed<number | tf.Scalar>[], hostLabels: Int32Array, ids: readonly string[] | undefined): StepInputs {
    let batch: StepInputs = { input: images, clean: images, labels };
    for (const plugin of this.composition.augments ?? []) {
      let probed: BackboneOutput | undefined;
      const input = batch.input;
      const ctx: AugmentContext = {
        step: this.position.step,
        epoch: this.position.epoch,
        training: true,
        rng: this.rngs.plugins.get(plugin.name) as Rng,
        hostLabels,
        ids,
        probe: () => (probed ??= this.composition.backbone.forward(input, { training: true, rng: this.rngs.probe })),
      };
      const out = plugin.apply(batch, ctx);
      if (!tf.util.arraysEqual(out.input.shape, images.shape)) {
        throw new Error(`${describePlugin(plugin)} changed the input shape from [${images.shape}] to [${out.input.shape}]`);
      }
      for (const [key, value] of Object.entries(out.metrics ?? {})) metrics.push({ key: `${plugin.name}/${key}`, source: describePlugin(plugin), value });
      batch = { input: out.input, clean: out.clean ?? batch.clean, labels };
    }
    return batch;
  }

  /** Copies of everything a bad step could corrupt before its update is rejected. */
  private snapshot(): { buffers: [tf.Variable, tf.Tensor][]; plugins: [Plugin, PluginState][] } {
    const buffers: [tf.Variable, tf.Tensor][] = [];
    const modules = [this.composition.backbone.module, ...this.plugins.map((p) => p.module)];
    for (const module of modules) {
      if (!module) continue;
      const trainable = new Set(module.trainableVariables().values());
      for (const v of module.stateDict().values()) if (!trainable.has(v)) buffers.push([v, tf.clone(v)]);
    }
    const pluginStates: [Plugin, PluginState][] = [];
    for (const p of this.plugins) {
      if (!p.getState) continue;
      const s = p.getState();
      const tensors = Object.fromEntries(Object.entries(s.tensors ?? {}).map(([k, t]) => [k, tf.clone(t)]));
      pluginStates.push([p, { json: structuredClone(s.json), tensors }]);
    }
    return { buffers, plugins: pluginStates };
  }

  private rollback(snap: ReturnType<Trainer['snapshot']>): void {
    for (const [v, saved] of snap.buffers) v.assign(saved);
    for (const [p, state] of snap.plugins) p.setState?.(state);
  }

  /**
   * One optimisation step on a host batch (validated first). Emits and returns its `step` event.
   * Rejects with {@link NonFiniteLossError} on NaN/Inf with policy `stop` (nothing is updated then).
   * Asynchronous because the step's numbers are read back with `await data()`: GPU backends in
   * Node cannot read synchronously.
   */
  async trainStep(batch: HostBatch, dataSeconds = 0): Promise<StepEvent> {
    this.validateBatch(batch);
    const started = now();
    const lr = this.schedule(this.position.step);
    const env = this.env(true, batch.labels);
    const kept: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      kept.push(tf.keep(t));
      return t;
    };

    let outcome: { terms: Record<string, number>; metrics: Record<string, number>; loss: number; gradNorm: number; clipped: boolean; bad: { what: string; source: string; value: number } | null };
    try {
      // Phase 1: forward and backward per micro-batch (gradients accumulated, each part weighted
      // by its share of the batch), then one stacked vector of everything to read back.
      const pass = scoped(() => {
        const snap = this.snapshot();
        for (const [, t] of snap.buffers) keep(t);
        for (const [, state] of snap.plugins) for (const t of Object.values(state.tensors ?? {})) keep(t);
        const [b, h, w, c] = batch.shape;
        const micro = Math.min(b, this.config.microBatchSize ?? b);
        const named = new Map<string, tf.Tensor>();
        const checks: Attributed<tf.Scalar>[] = [];
        const terms = new Map<string, Attributed<tf.Scalar>>();
        const metricParts = new Map<string, Attributed<number | tf.Scalar>>();
        const add = (a: tf.Tensor | undefined, x: tf.Tensor): tf.Tensor => keep(a ? tf.add(a, x) : x);
        for (let start = 0; start < b; start += micro) {
          const n = Math.min(micro, b - start);
          const share = n / b;
          const pixels = h * w * c;
          // Plugins get the batch's own labels array when there is a single micro-batch.
          const hostLabels = n === b ? batch.labels : batch.labels.subarray(start, start + n);
          const ids = batch.ids && (n === b ? batch.ids : batch.ids.slice(start, start + n));
          scoped(() => {
            const images = tf.tensor4d(batch.images.subarray(start * pixels, (start + n) * pixels), [n, h, w, c]);
            const labels = tf.tensor1d(hostLabels, 'int32');
            const chunkMetrics: Attributed<number | tf.Scalar>[] = [];
            const inputs = this.augment(images, labels, chunkMetrics, hostLabels, ids);
            let parts: LossParts | null = null;
            const { grads } = tf.variableGrads(() => {
              parts = forwardLoss(this.composition, inputs, { ...env, hostLabels, ids });
              // Read after the tape's scope closes: keep them.
              for (const t of [...parts.terms, ...parts.checks]) keep(t.value);
              for (const m of parts.metrics) if (typeof m.value !== 'number') keep(m.value);
              return parts.total;
            }, [...this.params.values()]);
            const done = parts as unknown as LossParts;
            for (const [variableName, grad] of Object.entries(grads)) {
              const name = this.paramByVariable.get(variableName) as string;
              const previous = named.get(name);
              named.set(name, add(previous, share === 1 ? grad : tf.mul(grad, share)));
              if (previous) previous.dispose();
            }
            checks.push(...done.checks);
            for (const t of done.terms) {
              const previous = terms.get(t.key);
              const value = share === 1 ? t.value : (tf.mul(t.value, share) as tf.Scalar);
              terms.set(t.key, { ...t, value: (previous ? add(previous.value, value) : keep(value)) as tf.Scalar });
            }
            for (const m of [...chunkMetrics, ...done.metrics]) {
              const previous = metricParts.get(m.key);
              if (typeof m.value === 'number') {
                const weighted = m.value * share;
                metricParts.set(m.key, { ...m, value: previous && typeof previous.value === 'number' ? previous.value + weighted : weighted });
              } else {
                const value = share === 1 ? m.value : (tf.mul(m.value, share) as tf.Scalar);
                metricParts.set(m.key, { ...m, value: (previous && typeof previous.value !== 'number' ? add(previous.value, value) : keep(value)) as tf.Scalar });
              }
            }
          });
        }
        const inScope = [...named].filter(([name]) => this.clipScope.has(name)).map(([, g]) => tf.sum(tf.square(g)));
        const normSq = inScope.length > 0 ? tf.addN(inScope) : tf.scalar(0);
        const allSq = tf.addN([...named.values()].map((g) => tf.sum(tf.square(g))));
        const termList = [...terms.values()];
        const metricList = [...metricParts.values()];
        const tensorMetrics = metricList.filter((m): m is Attributed<tf.Scalar> => typeof m.value !== 'number');
        const values = keep(tf.stack([...checks.map((x) => x.value), ...termList.map((t) => t.value), ...tensorMetrics.map((m) => tf.reshape(m.value, [])), normSq, allSq]));
        return { snap, named, values, checks, terms: termList, metricParts: metricList, tensorMetrics };
      });

      // Phase 2: the single read-back of the step.
      const values = await pass.values.data();
      const deviceErrors = takeDeviceErrors();
      if (deviceErrors.length > 0) {
        scoped(() => this.rollback(pass.snap));
        throw new Error(`The ${tf.getBackend()} device reported an error during step ${this.position.step}; the update was not applied: ${deviceErrors.join('; ')}`);
      }
      let i = 0;
      let bad: { what: string; source: string; value: number } | null = null;
      for (const c of pass.checks) {
        const v = values[i++] as number;
        if (!bad && !Number.isFinite(v)) bad = { what: `its ${c.key}`, source: c.source, value: v };
      }
      const termValues: Record<string, number> = {};
      for (const t of pass.terms) {
        const v = values[i++] as number;
        termValues[t.key] = v;
        if (!bad && !Number.isFinite(v)) bad = { what: `term "${t.key}"`, source: t.source, value: v };
      }
      const metricValues: Record<string, number> = {};
      for (const m of pass.metricParts) if (typeof m.value === 'number') metricValues[m.key] = m.value;
      for (const m of pass.tensorMetrics) metricValues[m.key] = values[i++] as number;
      const gradNorm = Math.sqrt(values[i++] as number);
      const allNorm = values[i++] as number;
      if (!bad && !Number.isFinite(allNorm)) bad = { what: 'a gradient', source: 'backpropagation (the loss is finite: check custom gradients)', value: allNorm };
      const loss = Object.values(termValues).reduce((a, b) => a + b, 0);

      // Phase 3: roll back a bad step, or clip and update.
      let clipped = false;
      scoped(() => {
        if (bad) {
          this.rollback(pass.snap);
          return;
        }
        const clip = this.config.clipGradNorm;
        if (clip && gradNorm > clip.maxNorm) {
          // torch.nn.utils.clip_grad_norm_: scale by max/(norm + 1e-6).
          const factor = clip.maxNorm / (gradNorm + 1e-6);
          for (const name of this.clipScope) {
            const g = pass.named.get(name);
            if (g) pass.named.set(name, tf.mul(g, factor));
          }
          clipped = true;
        }
        this.optimizer.apply(this.params, pass.named, lr, this.noDecay);
      });
      outcome = { terms: termValues, metrics: metricValues, loss, gradNorm, clipped, bad };
    } finally {
      for (const t of kept) t.dispose();
    }

    const { step, epoch } = this.position;
    if (outcome.bad) {
      const detail = Number.isNaN(outcome.bad.value) ? 'NaN' : String(outcome.bad.value);
      const error = new NonFiniteLossError(step, outcome.bad.what, outcome.bad.source, detail);
      const action = this.config.nonFinite === 'skip' && this.consecutiveSkips + 1 < this.config.maxConsecutiveSkips ? 'skip' : 'stop';
      this.emit({ type: 'nonfinite', step, epoch, what: outcome.bad.what, source: outcome.bad.source, action, message: error.message });
      if (action === 'stop') throw error;
      this.consecutiveSkips++;
    } else {
      this.consecutiveSkips = 0;
    }
    const stepSeconds = (now() - started) / 1000;
    this.position = { step: step + 1, epoch, batchInEpoch: this.position.batchInEpoch + 1 };
    const event: StepEvent = {
      type: 'step',
      step,
      epoch,
      batchInEpoch: this.position.batchInEpoch,
      loss: outcome.loss,
      terms: outcome.terms,
      metrics: outcome.metrics,
      lr,
      gradNorm: outcome.gradNorm,
      clipped: outcome.clipped,
      skipped: outcome.bad !== null,
      batchSize: batch.labels.length,
      stepSeconds,
      dataSeconds,
      imagesPerSecond: batch.labels.length / Math.max(stepSeconds + dataSeconds, 1e-9),
    };
    this.emit(event);
    return event;
  }

  /**
   * Trains until `steps`/`epochs` are done (or a signal/SIGINT interrupts, after a checkpoint).
   * Resuming continues the same run: same batches, same randomness, same losses.
   */
  async fit(options: FitOptions = {}): Promise<FitResult> {
    const unsubscribers: (() => void)[] = [];
    if (this.config.log.jsonl) {
      const write = await jsonlWriter(this.config.log.jsonl);
      for (const type of ['start', 'step', 'nonfinite', 'checkpoint', 'eval', 'end'] as const) unsubscribers.push(this.on(type, write));
    }
    const stream = isNode() ? process.stderr : null;
    const showProgress = this.config.log.progress === true || (this.config.log.progress === 'auto' && Boolean(stream?.isTTY));
    if (showProgress && stream) {
      const draw = progressBar(stream);
      for (const type of ['start', 'step', 'nonfinite', 'checkpoint', 'eval', 'end'] as const) unsubscribers.push(this.on(type, draw));
    }
    let resumedFrom: string | null = null;
    if (options.resume) {
      const dir = this.config.checkpoint?.dir;
      const path = options.resume === 'latest' ? (dir ? await latestCheckpoint(dir) : null) : options.resume;
      if (options.resume === 'latest' && !dir) throw new Error('resume: "latest" needs config.checkpoint.dir');
      if (path) {
        await this.loadCheckpoint(path);
        resumedFrom = path;
      }
    }
    const onSigint = (): void => {
      this.interruptRequested = true;
    };
    const handleSigint = (options.handleSigint ?? true) && isNode();
    if (handleSigint) process.on('SIGINT', onSigint);
    const started = now();
    this.emit({
      type: 'start',
      step: this.position.step,
      totalSteps: this.totalSteps,
      backend: currentBackend()?.name ?? tf.getBackend(),
      parameters: this.parameterCount,
      composition: { backbone: this.composition.backbone.name, plugins: this.plugins.map((p) => ({ name: p.name, kind: p.kind })) },
      resumedFrom,
      time: new Date().toISOString(),
    });
    let reason: FitResult['reason'] = 'completed';
    try {
      outer: while (this.position.step < this.totalSteps) {
        const batches = this.dataset.batches({
          epoch: this.position.epoch,
          seed: this.config.seed,
          batchSize: this.config.batchSize,
          fromBatch: this.position.batchInEpoch,
          dropLast: true,
        });
        let waitStart = now();
        let yielded = false;
        for await (const batch of batches) {
          yielded = true;
          const dataSeconds = (now() - waitStart) / 1000;
          await this.trainStep(batch, dataSeconds);
          const done = this.position.step;
          const ckpt = this.config.checkpoint;
          if (ckpt && done % ckpt.every === 0 && done < this.totalSteps) await this.saveCheckpoint(undefined, 'periodic');
          for (const cb of this.callbacks) if (done % cb.every === 0) await this.runCallback(cb);
          if (this.interruptRequested || options.signal?.aborted) {
            reason = 'interrupted';
            if (ckpt) await this.saveCheckpoint(undefined, 'interrupt');
            break outer;
          }
          if (done >= this.totalSteps) break outer;
          waitStart = now();
        }
        if (!yielded && this.position.batchInEpoch === 0) {
          throw new Error(`The dataset yielded no batch for epoch ${this.position.epoch} (size ${this.dataset.size}, batch ${this.config.batchSize})`);
        }
        this.position = { step: this.position.step, epoch: this.position.epoch + 1, batchInEpoch: 0 };
      }
      if (reason === 'completed' && this.config.checkpoint) await this.saveCheckpoint(undefined, 'final');
    } catch (error) {
      this.emit({ type: 'end', step: this.position.step, reason: 'stopped', seconds: (now() - started) / 1000 });
      throw error;
    } finally {
      if (handleSigint) process.off('SIGINT', onSigint);
      this.interruptRequested = false;
    }
    this.emit({ type: 'end', step: this.position.step, reason, seconds: (now() - started) / 1000 });
    for (const off of unsubscribers) off();
    return { reason, step: this.position.step, lastCheckpoint: this.lastCheckpoint };
  }

  private async runCallback(cb: TrainerCallback): Promise<void> {
    const started = now();
    const metrics = await cb.run({ backbone: this.composition.backbone, step: this.position.step, epoch: this.position.epoch });
    this.emit({ type: 'eval', step: this.position.step, name: cb.name, metrics, seconds: (now() - started) / 1000 });
  }

  // ───────────────────────────── checkpoints ─────────────────────────────

  /** Everything needed to continue this run, as host data (backend-neutral). */
  async checkpointContents(): Promise<CheckpointContents> {
    const tensors = new Map<string, HostTensor>();
    const add = async (name: string, t: tf.Tensor): Promise<void> => {
      if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`Cannot checkpoint "${name}": dtype ${t.dtype}`);
      const data = (await t.data()) as Float32Array | Int32Array;
      tensors.set(name, { dtype: t.dtype, shape: [...t.shape], data: data.slice() });
    };
    for (const [name, v] of this.composition.backbone.module.stateDict()) await add(`model/backbone/${name}`, v);
    const pluginState: Record<string, unknown> = {};
    for (const p of this.plugins) {
      if (p.module) for (const [name, v] of p.module.stateDict()) await add(`model/plugin/${p.name}/${name}`, v);
      if (p.getState) {
        const s = p.getState();
        pluginState[p.name] = s.json ?? null;
        for (const [name, t] of Object.entries(s.tensors ?? {})) await add(`state/${p.name}/${name}`, t);
      }
    }
    const opt = this.optimizer.getState();
    for (const [name, t] of Object.entries(opt.tensors)) await add(`optim/${name}`, t);
    const rng: Record<string, RngState> = { backbone: this.rngs.backbone.getState(), probe: this.rngs.probe.getState() };
    for (const [name, r] of this.rngs.plugins) rng[`plugin:${name}`] = r.getState();
    return {
      meta: {
        library: '@fr/core',
        position: { ...this.position },
        totalSteps: this.totalSteps,
        seed: this.config.seed,
        config: this.config,
        backbone: { name: this.composition.backbone.name, config: this.composition.backbone.config },
        plugins: this.plugins.map((p) => ({ name: p.name, kind: p.kind })),
        pluginState,
        optimizer: { type: this.optimizer.type, json: opt.json },
        rng,
        backend: currentBackend()?.name ?? tf.getBackend(),
        createdAt: new Date().toISOString(),
      },
      tensors,
    };
  }

  /** Restores a run from {@link checkpointContents}. Validates everything before changing anything. */
  restore(contents: CheckpointContents, source = 'checkpoint'): void {
    const meta = contents.meta as {
      position?: { step: number; epoch: number; batchInEpoch: number };
      backbone?: { name: string };
      plugins?: { name: string; kind: string }[];
      pluginState?: Record<string, unknown>;
      optimizer?: { type: string; json: Record<string, unknown> };
      rng?: Record<string, RngState>;
    };
    const problems: string[] = [];
    if (!meta.position) problems.push('it holds no training position');
    if (meta.backbone?.name !== this.composition.backbone.name) problems.push(`it is for backbone "${meta.backbone?.name}", not "${this.composition.backbone.name}"`);
    const want = this.plugins.map((p) => `${p.kind}:${p.name}`).join(', ');
    const have = (meta.plugins ?? []).map((p) => `${p.kind}:${p.name}`).join(', ');
    if (want !== have) problems.push(`its plugins are [${have}] but this trainer has [${want}]`);
    if (meta.optimizer?.type !== this.optimizer.type) problems.push(`its optimiser is ${meta.optimizer?.type}, this trainer uses ${this.optimizer.type}`);
    const modules: [string, NonNullable<Plugin['module']>][] = [['model/backbone/', this.composition.backbone.module]];
    for (const p of this.plugins) if (p.module) modules.push([`model/plugin/${p.name}/`, p.module]);
    for (const [prefix, module] of modules) {
      for (const [name, v] of module.stateDict()) {
        const saved = contents.tensors.get(prefix + name);
        if (!saved) problems.push(`"${prefix + name}" is missing`);
        else if (!tf.util.arraysEqual([...saved.shape], v.shape)) problems.push(`"${prefix + name}" has shape [${saved.shape}], the model has [${v.shape}]`);
      }
    }
    if (problems.length > 0) throw new Error(`Cannot resume from ${source}: ${problems.join('; ')}`);

    tf.tidy(() => {
      const toTensor = (t: HostTensor): tf.Tensor => tf.tensor(t.data, [...t.shape], t.dtype);
      for (const [prefix, module] of modules) {
        const values = new Map<string, tf.Tensor>();
        for (const name of module.stateDict().keys()) values.set(name, toTensor(contents.tensors.get(prefix + name) as HostTensor));
        module.loadStateDict(values);
      }
      for (const p of this.plugins) {
        if (!p.setState) continue;
        const prefix = `state/${p.name}/`;
        const tensors: Record<string, tf.Tensor> = {};
        for (const [name, t] of contents.tensors) if (name.startsWith(prefix)) tensors[name.slice(prefix.length)] = toTensor(t);
        p.setState({ json: meta.pluginState?.[p.name], tensors });
      }
      const optim: Record<string, tf.Tensor> = {};
      for (const [name, t] of contents.tensors) if (name.startsWith('optim/')) optim[name.slice('optim/'.length)] = toTensor(t);
      this.optimizer.setState({ json: meta.optimizer?.json ?? {}, tensors: optim }, this.params);
    });
    const rngs = this.freshRngs();
    const rng = meta.rng ?? {};
    if (rng.backbone) rngs.backbone.setState(rng.backbone);
    if (rng.probe) rngs.probe.setState(rng.probe);
    for (const [name, r] of rngs.plugins) {
      const saved = rng[`plugin:${name}`];
      if (saved) r.setState(saved);
    }
    this.rngs = rngs;
    this.position = { ...(meta.position as { step: number; epoch: number; batchInEpoch: number }) };
    this.consecutiveSkips = 0;
  }

  /** Writes a checkpoint atomically (Node) to `path` or `config.checkpoint.dir`, and prunes old ones. */
  async saveCheckpoint(path?: string, reason: 'periodic' | 'final' | 'interrupt' | 'manual' = 'manual'): Promise<string> {
    const dir = this.config.checkpoint?.dir;
    const target = path ?? (dir ? checkpointPath(dir, this.position.step) : null);
    if (!target) throw new Error('saveCheckpoint needs a path or config.checkpoint.dir');
    await writeCheckpointFile(target, await this.checkpointContents());
    if (!path && dir) await pruneCheckpoints(dir, this.config.checkpoint?.keep ?? 3);
    this.lastCheckpoint = target;
    this.emit({ type: 'checkpoint', step: this.position.step, path: target, reason });
    return target;
  }

  async loadCheckpoint(path: string): Promise<void> {
    this.restore(await readCheckpointFile(path), path);
  }

  /** Frees the optimiser's slots (the backbone and plugins belong to the caller). */
  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Creates a {@link Trainer}; validates the config and the composition first. */
export function createTrainer(options: TrainerOptions): Trainer {
  return new Trainer(options);
}
