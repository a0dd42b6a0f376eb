/**
 * One run of the comparison through fr-train's programmatic API: the arm's recipe with its
 * overrides, BoundaryFace's corrections scored against the injected noise, the headline metrics
 * of each evaluation set, written to `<dir>/result.json` (and returned).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '@fr/core';
import type { BoundaryCorrectionEvent } from '@fr/loss-boundary';
import { loadRecipe, trainRecipe, type Evaluation, type TrainOptions } from '@fr/train';
import { CorrectionScore, type DetectorEpoch } from './detector-score.js';
import type { Job } from './plan.js';

/** The headline numbers of one evaluation set. */
export interface SetMetrics {
  /** 10-fold verification accuracy (mean over folds). */
  readonly accuracy: number;
  /** Its standard deviation over the folds. */
  readonly foldStd: number;
  readonly auc: number | null;
  /** TAR at FAR = 1e-2 (null when the set has too few impostor pairs for that FAR). */
  readonly tarAtFar1e2: number | null;
  /**
   * What the evaluation report warned about, e.g. most pair distances within one step of the
   * threshold grid (a collapsed network: the grid then caps its accuracy whatever the embeddings).
   */
  readonly warnings: readonly string[];
}

/** What one run produced. */
export interface RunResult {
  /** {@link RESULT_FORMAT} of the code that wrote it. */
  readonly format: number;
  readonly arm: string;
  readonly seed: number;
  /** The job's key (recipe text and overrides) it was produced under. */
  readonly key: string;
  /** The commit it was trained on. */
  readonly commit: string;
  readonly backend: string;
  readonly steps: number;
  readonly images: number;
  /** Seconds of training (fr-train's `fit`), and of the whole run (data, evaluation, report included). */
  readonly trainSeconds: number;
  readonly wallSeconds: number;
  /** CPU seconds the process spent on the run (all its threads): what it costs on a quiet machine. */
  readonly cpuSeconds: number;
  readonly imagesPerSecond: number;
  /** Mean training loss over the last 10% of steps. */
  readonly finalLoss: number;
  readonly sets: Readonly<Record<string, SetMetrics>>;
  /** BoundaryFace arms: the corrections per epoch against the injected noise. */
  readonly detector: readonly DetectorEpoch[] | null;
  /** The run's report, relative to its folder. */
  readonly report: string | null;
}

export const RESULT_FILE = 'result.json';

/**
 * Version of what `result.json` holds; raised when a run records something new (2: the evaluation
 * warnings; 3: @fr/bench's grid warning for most, not only all, distances in one step), so that
 * older results, which lack it, are trained again rather than read as clean.
 */
export const RESULT_FORMAT = 3;

/** The stored result of a job, if it was produced from the same recipe text and overrides in the current format. */
export function storedResult(job: Job): RunResult | null {
  const path = join(job.dir, RESULT_FILE);
  if (!existsSync(path)) return null;
  const result = JSON.parse(readFileSync(path, 'utf8')) as RunResult;
  return result.key === job.key && result.format === RESULT_FORMAT ? result : null;
}

function setMetrics(e: Evaluation): SetMetrics {
  const roc = e.report.roc;
  const tar = roc.available ? roc.tarAtFar.find((t) => t.far === 1e-2) : undefined;
  return {
    accuracy: e.report.accuracy.mean,
    foldStd: e.report.accuracy.std,
    auc: roc.available ? roc.auc : null,
    tarAtFar1e2: tar?.available ? tar.tar : null,
    warnings: e.report.warnings,
  };
}

/** The comparison runs from the TypeScript sources: plugin packages resolve to their `@fr/source` export. */
const CONDITIONS = ['@fr/source'];

/** Trains and evaluates one job; its log lines go to `<dir>/console.log`. */
export async function runJob(job: Job): Promise<RunResult> {
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  mkdirSync(job.dir, { recursive: true });
  const logFile = join(job.dir, 'console.log');
  writeFileSync(logFile, '');
  const log = (line: string): void => appendFileSync(logFile, `${line}\n`);
  let score: CorrectionScore | null = null;
  const losses: number[] = [];
  const options: TrainOptions = {
    conditions: CONDITIONS,
    log,
    progress: { isTTY: false, write: (text: string) => { appendFileSync(logFile, text); return true; } },
    handleSigint: false,
    onTrainer: ({ trainer, data }) => {
      trainer.on('step', (e) => losses.push(e.loss));
      if (!job.detector) return;
      if (!data.labelNoise) throw new Error(`${job.arm}: a detector arm needs data.labelNoise (the truth its corrections are scored against)`);
      score = new CorrectionScore(data.labelNoise);
    },
    pluginOptions: job.detector ? {
      margin: {
        onCorrection: (event: BoundaryCorrectionEvent) => {
          if (!score) throw new Error(`${job.arm}: a correction arrived before the injected-noise table`);
          score.add(event);
        },
      },
    } : undefined,
  };
  const loaded = loadRecipe(job.recipe, { set: job.set });
  const result = await trainRecipe(loaded, options);
  if (result.reason !== 'completed') throw new Error(`${job.arm} seed ${job.seed}: training stopped at step ${result.step} (${result.reason})`);
  const tail = losses.slice(-Math.max(1, Math.ceil(losses.length / 10)));
  const run: RunResult = {
    format: RESULT_FORMAT,
    arm: job.arm,
    seed: job.seed,
    key: job.key,
    commit: job.commit,
    backend: tf.getBackend(),
    steps: result.step,
    images: result.step * loaded.recipe.batchSize,
    trainSeconds: result.trainSeconds,
    wallSeconds: (Date.now() - started) / 1000,
    cpuSeconds: ((cpu) => (cpu.user + cpu.system) / 1e6)(process.cpuUsage(cpuBefore)),
    imagesPerSecond: result.imagesPerSecond,
    finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
    sets: Object.fromEntries(result.after.map((e) => [e.set, setMetrics(e)])),
    detector: score ? (score as CorrectionScore).epochs() : null,
    report: result.files.report ? 'report.html' : null,
  };
  writeFileSync(join(job.dir, RESULT_FILE), `${JSON.stringify(run, null, 2)}\n`);
  return run;
}
