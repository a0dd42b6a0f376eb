/**
 * `fr-train`'s pipeline: check the recipe, pick a backend, align the data (`data.align`), open
 * it, build the backbone and plugins, evaluate the untrained network, train (with periodic
 * evaluations, checkpoints, the JSONL log, TensorBoard and a progress display), evaluate again,
 * save the model, write the verification reports and the training report.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  Rng, createTrainer, listCheckpoints, progressBar, readJsonl, selectBackend, writeFileAtomic,
  type EvalEvent, type ProgressStream, type StepEvent, type Trainer, type TrainerCallback, type TrainerEvent,
} from '@fr/core';
import { createBackbone, saveBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { renderVerificationReport } from '@fr/bench';
import { RecipeError } from '../recipe/errors.js';
import type { LoadedRecipe } from '../recipe/load.js';
import { alignRecipeData } from '../data/align-data.js';
import { openTrainingData, type TrainingData } from '../data/open-data.js';
import { tensorboardLogger, evalScalars } from '../monitor/tensorboard.js';
import { renderTrainingReport } from '../report/training-report.js';
import { openEvalTargets, type Evaluation } from './eval-targets.js';
import { buildPlugins, disposePlugins, prepareRecipe, type BuiltPlugins, type CodeOptions } from './prepare.js';

/** Options of {@link trainRecipe}. */
export interface TrainOptions {
  /** `'latest'` (the newest readable checkpoint of the run, or a fresh start) or a checkpoint file. */
  readonly resume?: string;
  /** Backend, over FR_BACKEND and the recipe's `backend`. */
  readonly backend?: string;
  /** Export conditions for resolving plugin packages, before `import`/`node`/`default`. */
  readonly conditions?: readonly string[];
  /** Result lines (default `console.log`). */
  readonly log?: (line: string) => void;
  /** Progress display (default `process.stderr`: a bar on a TTY, periodic lines otherwise); null for none. */
  readonly progress?: ProgressStream | null;
  /** Aborting stops after the current step, with a checkpoint. */
  readonly signal?: AbortSignal;
  /** Save a checkpoint and stop on Ctrl-C (default true). */
  readonly handleSigint?: boolean;
  /**
   * Plugin options a recipe cannot hold (callbacks), by slot, merged over the recipe's: e.g.
   * `{ margin: { onCorrection } }` for BoundaryFace's correction reports.
   */
  readonly pluginOptions?: CodeOptions;
  /** Called once the trainer is built, before any evaluation or step: attach listeners, read the data. */
  readonly onTrainer?: (run: TrainerReady) => void;
}

/** What {@link TrainOptions.onTrainer} receives. */
export interface TrainerReady {
  readonly trainer: Trainer;
  /** The training data (with `data.labelNoise`, the clean labels in `labelNoise`). */
  readonly data: TrainingData;
  readonly plugins: BuiltPlugins;
}

/** Where a run wrote its files. */
export interface RunFiles {
  readonly dir: string;
  readonly log: string;
  readonly checkpoints: string;
  readonly lastCheckpoint: string | null;
  readonly tensorboard: string | null;
  readonly model: string | null;
  readonly report: string | null;
}

/** What {@link trainRecipe} returns. */
export interface TrainResult {
  readonly reason: 'completed' | 'interrupted';
  /** Steps done. */
  readonly step: number;
  readonly totalSteps: number;
  /** Which data trained the model (and whether it was aligned): the run's `data:` line. */
  readonly data: string;
  /** The untrained network's evaluations (empty when resuming or with `evaluation.atStart: false`). */
  readonly before: readonly Evaluation[];
  /** The final evaluations (empty when interrupted). */
  readonly after: readonly Evaluation[];
  readonly files: RunFiles;
  /** Seconds of `fit` in this process, and the images per second it trained. */
  readonly trainSeconds: number;
  readonly imagesPerSecond: number;
}

const LOGGED: readonly TrainerEvent['type'][] = ['start', 'step', 'checkpoint', 'eval', 'nonfinite', 'end'];

const pct = (x: number | undefined): string => (x === undefined ? '?' : `${(100 * x).toFixed(2)}%`);

/** `name: accuracy 69.47% ± 3.58% (28.1 s)`, then a line per warning of the report. */
export function describeEvaluation(e: Evaluation): string {
  const warnings = e.report.warnings.map((w) => `\n  warning: ${w}`).join('');
  return `${e.set}: accuracy ${pct(e.metrics.accuracy)} ± ${pct(e.metrics.std)}${e.metrics.auc === undefined ? '' : `, AUC ${e.metrics.auc.toFixed(4)}`} (${e.seconds.toFixed(1)} s)${warnings}`;
}

/** The latest event per step (a resumed run replays the steps after its last checkpoint). */
function latestPerStep<E extends { step: number }>(events: readonly E[], key: (e: E) => string = (e) => String(e.step)): E[] {
  const byKey = new Map<string, E>();
  for (const e of events) {
    byKey.delete(key(e));
    byKey.set(key(e), e);
  }
  return [...byKey.values()].sort((a, b) => a.step - b.step);
}

/**
 * Trains, evaluates and reports what a recipe describes. Every check that needs no backend runs
 * first (plugins resolved, backbone options), then the composition is checked before any step.
 * @example
 * ```ts
 * const result = await trainRecipe(loadRecipe('examples/recipes/arcface-cpu.json', { set: ['steps=20'] }));
 * console.log(result.after[0]?.metrics.accuracy, result.files.report);
 * ```
 */
export async function trainRecipe(loaded: LoadedRecipe, options: TrainOptions = {}): Promise<TrainResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { recipe } = loaded;
  const prepared = await prepareRecipe(loaded, options.conditions);

  const backend = await selectBackend(options.backend ?? process.env.FR_BACKEND ?? recipe.backend, { log });
  const dir = recipe.output.dir;
  const files = { dir, log: join(dir, 'train.jsonl'), checkpoints: join(dir, 'checkpoints') };
  // Before the backbone exists: an alignment that fails leaves no tensors behind.
  const plan = await alignRecipeData(recipe.data, recipe.evaluation.sets, dir, log);
  const backbone = createBackbone(recipe.backbone.architecture, recipe.backbone.options, { rng: Rng.fromSeed(recipe.seed) });
  const opened = await openTrainingData(plan.data, backbone.preprocessing, log, recipe.seed);
  const data: TrainingData = plan.note ? { ...opened, description: `${opened.description}; ${plan.note}` } : opened;
  let plugins: BuiltPlugins | undefined;
  let trainer: ReturnType<typeof createTrainer> | undefined;
  try {
    const { dataset } = data;
    if (recipe.data.numClasses !== undefined && !data.syntheticPairs && recipe.data.numClasses !== dataset.numClasses) {
      throw new RecipeError(loaded.file, [`data.numClasses: the recipe expects ${recipe.data.numClasses} identities, the data has ${dataset.numClasses} (${data.description})`]);
    }
    const parameters = backbone.module.parameterCount();
    log(`[fr-train] ${recipe.name}: ${recipe.backbone.architecture} (${backbone.preprocessing.inputSize}×${backbone.preprocessing.inputSize}, ${backbone.embeddingSize}-d, ${parameters.toLocaleString('en')} parameters) on ${backend.name}`);
    log(`[fr-train] data: ${data.description}`);
    plugins = buildPlugins(prepared, { numClasses: dataset.numClasses, embeddingSize: backbone.embeddingSize, inputSize: backbone.preprocessing.inputSize, seed: recipe.seed }, options.pluginOptions);
    const model = `${recipe.backbone.architecture} ${recipe.name}`;
    const targets = openEvalTargets(plan.sets, data.syntheticPairs, { batchSize: recipe.evaluation.batchSize, flip: recipe.evaluation.flip, model });
    const last = new Map<string, { step: number; evaluation: Evaluation }>();
    const callbacks: TrainerCallback[] = recipe.evaluation.every === null ? [] : targets.map((target) => ({
      name: target.name,
      every: recipe.evaluation.every as number,
      async run({ step }) {
        const evaluation = await target.evaluate(backbone);
        last.set(target.name, { step, evaluation });
        return evaluation.metrics;
      },
    }));
    trainer = createTrainer({
      backbone,
      ...plugins,
      dataset,
      callbacks,
      config: {
        batchSize: recipe.batchSize,
        microBatchSize: recipe.microBatchSize,
        steps: recipe.steps,
        epochs: recipe.epochs,
        seed: recipe.seed,
        optimizer: recipe.optimizer,
        schedule: recipe.schedule,
        clipGradNorm: recipe.clipGradNorm,
        nonFinite: recipe.nonFinite,
        maxConsecutiveSkips: recipe.maxConsecutiveSkips,
        crossEntropy: recipe.crossEntropy,
        checkpoint: { dir: files.checkpoints, every: recipe.checkpoint.every, keep: recipe.checkpoint.keep },
        log: { jsonl: files.log, progress: false },
      },
    });
    options.onTrainer?.({ trainer, data, plugins });
    mkdirSync(dir, { recursive: true });
    const stream = options.progress === undefined ? process.stderr : options.progress;
    if (stream) {
      const draw = progressBar(stream);
      for (const type of LOGGED) trainer.on(type, draw);
    }
    const tensorboard = recipe.output.tensorboard ? tensorboardLogger(join(dir, 'tensorboard')) : null;
    if (tensorboard) for (const type of ['start', 'step', 'eval'] as const) trainer.on(type, tensorboard.listener);
    /** Evaluations outside the trainer's callbacks go to the same log and event file as its own. */
    const record = (step: number, evaluation: Evaluation): void => {
      const event: EvalEvent = { type: 'eval', step, name: evaluation.set, metrics: evaluation.metrics, seconds: evaluation.seconds };
      appendFileSync(files.log, `${JSON.stringify(event)}\n`);
      tensorboard?.writer.scalars(step, evalScalars(evaluation.set, evaluation.metrics));
    };

    const resuming = options.resume !== undefined && (options.resume !== 'latest' || (await listCheckpoints(files.checkpoints)).length > 0);
    const before: Evaluation[] = [];
    if (recipe.evaluation.atStart && !resuming) {
      for (const target of targets) {
        const evaluation = await target.evaluate(backbone);
        record(0, evaluation);
        before.push(evaluation);
        log(`[fr-train] untrained ${describeEvaluation(evaluation)}`);
      }
    }

    const steps: StepEvent[] = [];
    trainer.on('step', (e) => steps.push(e));
    const started = Date.now();
    const fit = await trainer.fit({ resume: options.resume, signal: options.signal, handleSigint: options.handleSigint });
    const trainSeconds = (Date.now() - started) / 1000;
    const images = steps.reduce((n, e) => n + e.batchSize, 0);
    const imagesPerSecond = images / Math.max(trainSeconds, 1e-9);
    const base = { step: fit.step, totalSteps: trainer.totalSteps, data: data.description, before, trainSeconds, imagesPerSecond };
    if (fit.reason === 'interrupted') {
      log(`[fr-train] interrupted at step ${fit.step}/${trainer.totalSteps}; checkpoint ${fit.lastCheckpoint ?? '(none)'} — run the same command with --resume latest to continue`);
      return { ...base, reason: 'interrupted', after: [], files: { ...files, lastCheckpoint: fit.lastCheckpoint, tensorboard: tensorboard?.writer.file ?? null, model: null, report: null } };
    }
    log(`[fr-train] trained ${fit.step} steps in ${trainSeconds.toFixed(0)} s (${imagesPerSecond.toFixed(1)} img/s)`);

    const after: Evaluation[] = [];
    for (const target of targets) {
      const previous = last.get(target.name);
      // A periodic evaluation at the last step already measured the final network.
      const evaluation = previous?.step === fit.step ? previous.evaluation : await target.evaluate(backbone);
      if (previous?.step !== fit.step) record(fit.step, evaluation);
      after.push(evaluation);
      log(`[fr-train] trained ${describeEvaluation(evaluation)}`);
    }

    let modelDir: string | null = null;
    if (recipe.output.saveModel) {
      modelDir = join(dir, 'model');
      await saveBackbone(backbone, fileSystem(modelDir));
    }
    let report: string | null = null;
    if (recipe.output.report) {
      for (const evaluation of after) {
        await renderVerificationReport(
          { dataset: evaluation.set, model, issame: evaluation.issame, result: evaluation.result, metadata: { steps: fit.step, backend: backend.name, recipe: recipe.name } },
          { outDir: join(dir, 'report'), png: false },
        );
      }
      const events = await readJsonl(files.log);
      report = join(dir, 'report.html');
      await writeFileAtomic(report, renderTrainingReport({
        name: recipe.name,
        description: recipe.description,
        notes: recipe.notes,
        summary: [
          ['Data', data.description],
          ['Backbone', `${recipe.backbone.architecture}, ${backbone.preprocessing.inputSize}×${backbone.preprocessing.inputSize} input, ${backbone.embeddingSize}-d embedding, ${parameters.toLocaleString('en')} parameters`],
          ['Plugins', [plugins.centers, plugins.margin, ...plugins.losses, ...plugins.augments].filter((p) => p !== undefined).map((p) => `${p.name} (${p.kind})`).join(', ') || 'none'],
          ['Backend', backend.name],
          ['Steps', `${fit.step} of ${trainer.totalSteps}, batch ${recipe.batchSize}`],
          ['Training time (this process)', `${trainSeconds.toFixed(0)} s, ${imagesPerSecond.toFixed(1)} img/s`],
          ['Files', `${files.log}; ${modelDir ?? 'no model saved'}; ${tensorboard?.writer.file ?? 'no TensorBoard file'}`],
        ],
        steps: latestPerStep(events.filter((e): e is StepEvent => e.type === 'step')),
        evaluations: latestPerStep(events.filter((e): e is EvalEvent => e.type === 'eval'), (e) => `${e.step}/${e.name}`),
        lastReports: after.map((e) => e.report),
        recipe,
      }));
    }
    log(`[fr-train] report ${report ?? '(off)'}; model ${modelDir ? join(modelDir, 'model.json') : '(off)'}; TensorBoard ${tensorboard ? `${tensorboard.writer.file} (tensorboard --logdir ${join(dir, 'tensorboard')})` : '(off)'}`);
    return { ...base, reason: 'completed', after, files: { ...files, lastCheckpoint: fit.lastCheckpoint, tensorboard: tensorboard?.writer.file ?? null, model: modelDir, report } };
  } finally {
    trainer?.dispose();
    if (plugins) disposePlugins(plugins);
    backbone.module.dispose();
    await data.close();
  }
}
