/**
 * The demo pipeline: pick a backend, open the data, build MobileFaceNet + full FC + ArcFace,
 * evaluate the untrained network, train, evaluate again, write an HTML report.
 */
import { mkdirSync } from 'node:fs';
import { Rng, createTrainer, fullFC, selectBackend, type StepEvent } from '@fr/core';
import { createBackbone, saveBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { arcface } from '@fr/loss-arcface';
import { renderVerificationReport } from '@fr/bench';
import { openDataSource } from './data-source.js';
import { evaluate, type Evaluation } from './evaluate.js';

export interface RunOptions {
  readonly steps: number;
  readonly batchSize: number;
  readonly inputSize: number;
  readonly widthMultiplier: number;
  readonly embeddingSize: number;
  readonly lr: number;
  /** ArcFace scale and margin. */
  readonly s: number;
  readonly m: number;
  readonly outDir: string;
  readonly seed: number;
  readonly backend?: string;
  /** A checkpoint to continue from, or `'latest'` in `<outDir>/checkpoints`. */
  readonly resume?: string;
}

export interface RunResult {
  readonly before: Evaluation;
  readonly after: Evaluation;
  readonly report: string;
  readonly model: string;
  readonly trainSeconds: number;
  readonly imagesPerSecond: number;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

export async function run(options: RunOptions, log: (line: string) => void = console.log): Promise<RunResult> {
  await selectBackend(options.backend, { log });
  const source = await openDataSource(options.inputSize, log);
  log(`[demo] data: ${source.description}`);
  const backbone = createBackbone('mobilefacenet', {
    inputSize: options.inputSize,
    embeddingSize: options.embeddingSize,
    widthMultiplier: options.widthMultiplier,
  }, { rng: Rng.fromSeed(options.seed) });
  log(`[demo] model: MobileFaceNet ${options.inputSize}x${options.inputSize}, width ×${options.widthMultiplier}, ${options.embeddingSize}-d, ${backbone.module.parameterCount().toLocaleString('en')} parameters; full FC + ArcFace (s ${options.s}, m ${options.m})`);

  const before = await evaluate(backbone, source);
  log(`[demo] untrained: ${source.pairs.name} accuracy ${pct(before.result.accuracyMean)} ± ${pct(before.result.accuracyStd)} (${before.seconds.toFixed(1)} s)`);

  const trainer = createTrainer({
    backbone,
    centers: fullFC({ numClasses: source.train.numClasses, embeddingSize: options.embeddingSize, seed: options.seed }),
    margin: arcface({ s: options.s, m: options.m }),
    dataset: source.train,
    config: {
      batchSize: options.batchSize,
      steps: options.steps,
      seed: options.seed,
      optimizer: { type: 'sgd', lr: options.lr, momentum: 0.9, weightDecay: 5e-4 },
      schedule: { type: 'polynomial', power: 2, warmupSteps: Math.round(options.steps / 20), flavour: 'legacy' },
      checkpoint: { dir: `${options.outDir}/checkpoints`, every: Math.max(50, Math.round(options.steps / 4)), keep: 2 },
      log: { jsonl: `${options.outDir}/train.jsonl`, progress: 'auto' },
    },
  });
  trainer.on('start', (e) => { if (e.resumedFrom) log(`[demo] resumed at step ${e.step} from ${e.resumedFrom}`); });
  const steps: StepEvent[] = [];
  trainer.on('step', (e) => {
    steps.push(e);
    if (!process.stderr.isTTY && (e.step + 1) % Math.max(1, Math.round(options.steps / 10)) === 0) {
      log(`[demo] step ${e.step + 1}/${options.steps} loss ${e.loss.toFixed(3)} lr ${e.lr.toPrecision(3)} ${e.imagesPerSecond.toFixed(1)} img/s`);
    }
  });
  const started = Date.now();
  const fit = await trainer.fit({ resume: options.resume });
  const trainSeconds = (Date.now() - started) / 1000;
  trainer.dispose();
  await source.close();
  if (fit.reason === 'interrupted') log(`[demo] interrupted at step ${fit.step}; checkpoint ${fit.lastCheckpoint}`);
  const images = steps.reduce((n, e) => n + e.batchSize, 0);

  const after = await evaluate(backbone, source);
  log(`[demo] trained ${fit.step} steps in ${trainSeconds.toFixed(0)} s (${(images / trainSeconds).toFixed(1)} img/s): ${source.pairs.name} accuracy ${pct(after.result.accuracyMean)} ± ${pct(after.result.accuracyStd)}`);

  mkdirSync(options.outDir, { recursive: true });
  const model = `${options.outDir}/model`;
  await saveBackbone(backbone, fileSystem(model));
  const rendered = await renderVerificationReport(
    { dataset: source.pairs.name, model: `MobileFaceNet + ArcFace, ${fit.step} steps`, issame: after.issame, embeddings: after.embeddings, flipped: after.flipped,
      metadata: { untrainedAccuracy: Number(before.result.accuracyMean.toFixed(4)), steps: fit.step, inputSize: options.inputSize } },
    { outDir: `${options.outDir}/report` },
  );
  log(`[demo] report ${rendered.files.html}; model ${model}/model.json`);
  return { before, after, report: rendered.files.html, model, trainSeconds, imagesPerSecond: images / trainSeconds };
}
