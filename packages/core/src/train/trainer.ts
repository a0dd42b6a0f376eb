/**
 * The trainer: composes a backbone, a center bank, a margin head, loss and augment plugins over a
 * dataset; optimises with SGD or AdamW under a learning-rate schedule; guards against NaN/Inf;
 * logs events; checkpoints atomically and resumes exactly (weights, optimiser slots, plugin state,
 * RNG streams, data position). The step itself is `step.ts`; checkpoint contents are
 * `checkpoint/trainer-state.ts`; this file registers parameters and runs the fit loop.
 */
import { tf } from '../tf.js';
import { currentBackend } from '../backend/select-backend.js';
import { isNode } from '../backend/environment.js';
import { validateComposition, plugins as pluginsOf, type Composition } from '../contract/compose.js';
import { describePlugin } from '../contract/describe.js';
import type { Plugin } from '../contract/plugin.js';
import type { HostBatch, TrainingDataset } from '../data/dataset.js';
import type { CheckpointContents } from '../checkpoint/format.js';
import { checkpointPath, newestReadableCheckpoint, pruneCheckpoints, setAsideDamagedCheckpoint, readCheckpointFile, writeCheckpointFile } from '../checkpoint/files.js';
import { captureTrainerState, restoreTrainerState, trainerRngs, type TrainerRngs, type TrainerStateParts, type TrainingPosition } from '../checkpoint/trainer-state.js';
import { parseTrainerConfig, type TrainerConfig, type TrainerConfigInput } from './config.js';
import type { EndEvent, EventOf, StepEvent, TrainerEvent, TrainerEventType } from './events.js';
import { jsonlWriter } from './jsonl-log.js';
import { makeLrSchedule, type LrSchedule } from './lr-schedule.js';
import { NonFiniteLossError } from './non-finite.js';
import { makeOptimizer, type Optimizer } from './optimizers/index.js';
import { progressBar } from './progress.js';
import { runStep, type StepModel } from './step.js';
import { validateBatch } from './validate-batch.js';

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
  /**
   * A checkpoint file to resume from, or `'latest'` for the newest readable one in
   * `config.checkpoint.dir`: newer damaged files are skipped with a warning and set aside as
   * `<name>.damaged` (kept, never deleted or overwritten).
   */
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

const LOGGED_EVENTS = ['start', 'step', 'nonfinite', 'checkpoint', 'eval', 'warning', 'end'] as const;

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
  private readonly model: StepModel;
  private readonly numClasses: number | undefined;
  private readonly listeners = new Map<TrainerEventType, Set<Listener>>();
  private rngs: TrainerRngs;
  private position: TrainingPosition = { step: 0, epoch: 0, batchInEpoch: 0 };
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

    const params = new Map<string, tf.Variable>();
    const paramByVariable = new Map<string, string>();
    const clipScope = new Set<string>();
    const noDecay = new Set<string>();
    const addModule = (prefix: string, module: Plugin['module'], clipped: boolean): void => {
      if (!module) return;
      for (const [name, variable] of module.trainableVariables()) {
        params.set(prefix + name, variable);
        paramByVariable.set(variable.name, prefix + name);
        if (clipped) clipScope.add(prefix + name);
      }
      for (const name of module.noDecayNames()) noDecay.add(prefix + name);
    };
    const clipAll = this.config.clipGradNorm?.scope === 'all';
    addModule('backbone/', options.backbone.module, true);
    for (const p of this.plugins) addModule(`plugin/${p.name}/`, p.module, clipAll);
    if (params.size === 0) throw new Error('Nothing is trainable: the backbone and plugins have no trainable parameters');

    this.optimizer = makeOptimizer(this.config.optimizer);
    this.schedule = makeLrSchedule(this.config.schedule, this.config.optimizer.lr, this.totalSteps);
    this.model = { composition: this.composition, plugins: this.plugins, params, paramByVariable, clipScope, noDecay, optimizer: this.optimizer, config: this.config };
    this.rngs = trainerRngs(this.config.seed, this.plugins);
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

  private warn(message: string): void {
    console.warn(`[fr] ${message}`);
    this.emit({ type: 'warning', step: this.position.step, message });
  }

  /** Number of parameters optimised (frozen ones excluded). */
  get parameterCount(): number {
    let n = 0;
    for (const v of this.model.params.values()) n += v.size;
    return n;
  }

  /** Calls one lifecycle hook on every plugin, in step order; an error names the plugin. */
  private async callHooks<H extends 'onFitStart' | 'onStepEnd' | 'onFitEnd'>(hook: H, info: Parameters<NonNullable<Plugin[H]>>[0]): Promise<void> {
    for (const plugin of this.plugins) {
      const fn = plugin[hook] as ((info: unknown) => void | Promise<void>) | undefined;
      if (!fn) continue;
      try {
        await fn.call(plugin, info);
      } catch (error) {
        throw new Error(`${describePlugin(plugin)} failed in ${hook} at step ${this.position.step}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
  }

  /**
   * One optimisation step on a host batch (validated first), then every plugin's `onStepEnd`.
   * Emits and returns its `step` event. Rejects with {@link NonFiniteLossError} on NaN/Inf with
   * policy `stop` (nothing is updated then). Asynchronous because the step's numbers are read back
   * with `await data()`: GPU backends in Node cannot read synchronously.
   */
  async trainStep(batch: HostBatch, dataSeconds = 0): Promise<StepEvent> {
    validateBatch(batch, this.composition.backbone, this.numClasses);
    const started = now();
    const { step, epoch } = this.position;
    const lr = this.schedule(step);
    const rngs = this.rngs;
    const outcome = await runStep(this.model, batch, {
      step, epoch, lr,
      rng: { backbone: rngs.backbone, probe: rngs.probe, plugin: (p) => rngs.plugins.get(p.name) as NonNullable<ReturnType<typeof rngs.plugins.get>> },
    });

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
    this.position = { step: step + 1, epoch, batchInEpoch: this.position.batchInEpoch + 1 };
    await this.callHooks('onStepEnd', { step, epoch, skipped: outcome.bad !== null });
    const stepSeconds = (now() - started) / 1000;
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
      for (const type of LOGGED_EVENTS) unsubscribers.push(this.on(type, write));
    }
    const stream = isNode() ? process.stderr : null;
    const showProgress = this.config.log.progress === true || (this.config.log.progress === 'auto' && Boolean(stream?.isTTY));
    if (showProgress && stream) {
      const draw = progressBar(stream);
      for (const type of LOGGED_EVENTS) unsubscribers.push(this.on(type, draw));
    }
    const resumedFrom = options.resume ? await this.resume(options.resume) : null;
    const onSigint = (): void => {
      this.interruptRequested = true;
    };
    const handleSigint = (options.handleSigint ?? true) && isNode();
    if (handleSigint) process.on('SIGINT', onSigint);
    const started = now();
    let reason: EndEvent['reason'] = 'stopped';
    try {
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
      await this.callHooks('onFitStart', { step: this.position.step, totalSteps: this.totalSteps, resumedFrom });
      reason = await this.runEpochs(options.signal);
      if (reason === 'completed' && this.config.checkpoint) await this.saveCheckpoint(undefined, 'final');
    } catch (error) {
      reason = 'stopped';
      // Flush what plugins hold, but report the error that stopped the run.
      await this.callHooks('onFitEnd', { step: this.position.step, reason }).catch(() => undefined);
      this.emit({ type: 'end', step: this.position.step, reason, seconds: (now() - started) / 1000 });
      throw error;
    } finally {
      if (handleSigint) process.off('SIGINT', onSigint);
      this.interruptRequested = false;
    }
    await this.callHooks('onFitEnd', { step: this.position.step, reason });
    this.emit({ type: 'end', step: this.position.step, reason, seconds: (now() - started) / 1000 });
    for (const off of unsubscribers) off();
    return { reason, step: this.position.step, lastCheckpoint: this.lastCheckpoint };
  }

  /** The epoch loop: batches from the dataset's position, periodic checkpoints and callbacks. */
  private async runEpochs(signal: AbortSignal | undefined): Promise<'completed' | 'interrupted'> {
    while (this.position.step < this.totalSteps) {
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
        await this.trainStep(batch, (now() - waitStart) / 1000);
        const done = this.position.step;
        const ckpt = this.config.checkpoint;
        if (ckpt && done % ckpt.every === 0 && done < this.totalSteps) await this.saveCheckpoint(undefined, 'periodic');
        for (const cb of this.callbacks) if (done % cb.every === 0) await this.runCallback(cb);
        if (this.interruptRequested || signal?.aborted) {
          if (ckpt) await this.saveCheckpoint(undefined, 'interrupt');
          return 'interrupted';
        }
        if (done >= this.totalSteps) return 'completed';
        waitStart = now();
      }
      if (!yielded && this.position.batchInEpoch === 0) {
        throw new Error(`The dataset yielded no batch for epoch ${this.position.epoch} (size ${this.dataset.size}, batch ${this.config.batchSize})`);
      }
      this.position = { step: this.position.step, epoch: this.position.epoch + 1, batchInEpoch: 0 };
    }
    return 'completed';
  }

  /** Loads `resume` (a path, or `'latest'`); returns the checkpoint used, or null for a fresh start. */
  private async resume(resume: string): Promise<string | null> {
    if (resume !== 'latest') {
      await this.loadCheckpoint(resume);
      return resume;
    }
    const dir = this.config.checkpoint?.dir;
    if (!dir) throw new Error('resume: "latest" needs config.checkpoint.dir');
    const { found, damaged } = await newestReadableCheckpoint(dir);
    for (const d of damaged) {
      const kept = await setAsideDamagedCheckpoint(d.path);
      this.warn(`resume: skipping damaged checkpoint ${d.path} (kept as ${kept}): ${d.reason}`);
    }
    if (!found) {
      if (damaged.length > 0) throw new Error(`resume: no readable checkpoint in ${dir} (${damaged.length} damaged: ${damaged.map((d) => d.path).join(', ')})`);
      return null;
    }
    this.restore(found.contents, found.path);
    return found.path;
  }

  private async runCallback(cb: TrainerCallback): Promise<void> {
    const started = now();
    const metrics = await cb.run({ backbone: this.composition.backbone, step: this.position.step, epoch: this.position.epoch });
    this.emit({ type: 'eval', step: this.position.step, name: cb.name, metrics, seconds: (now() - started) / 1000 });
  }

  // ───────────────────────────── checkpoints ─────────────────────────────

  private stateParts(): TrainerStateParts {
    return {
      backbone: this.composition.backbone,
      plugins: this.plugins,
      optimizer: this.optimizer,
      params: this.model.params,
      seed: this.config.seed,
      meta: { totalSteps: this.totalSteps, config: this.config, backend: currentBackend()?.name ?? tf.getBackend() },
    };
  }

  /** Everything needed to continue this run, as host data (backend-neutral). */
  checkpointContents(): Promise<CheckpointContents> {
    return captureTrainerState(this.stateParts(), this.position, this.rngs);
  }

  /** Restores a run from {@link checkpointContents}. Validates everything before changing anything. */
  restore(contents: CheckpointContents, source = 'checkpoint'): void {
    const { position, rngs } = restoreTrainerState(this.stateParts(), contents, source);
    this.position = position;
    this.rngs = rngs;
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
