/**
 * From arms, budget and seeds to runs: each run is an arm's recipe with the shared overrides (the
 * budget, identical for every arm of a family) followed by the arm's own.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arm } from './arms.js';
import type { Budget } from './budget.js';
import type { EvalSetFile } from './eval-sets.js';

/** One training run of the comparison. */
export interface Job {
  readonly arm: string;
  readonly seed: number;
  /** Absolute path of the recipe. */
  readonly recipe: string;
  /** `--set` overrides, in order. */
  readonly set: readonly string[];
  /** The run's output folder (fr-train's `output.dir`); `result.json` is written there. */
  readonly dir: string;
  /** Score BoundaryFace's corrections against the injected noise. */
  readonly detector: boolean;
  /** Hash of the recipe's text and the overrides: a stored result is reused only under the same key. */
  readonly key: string;
  /** The code the run trains with (recorded in its result; not part of the key). */
  readonly commit: string;
}

const json = (value: unknown): string => JSON.stringify(value);

/** The overrides every arm of `arm.family` gets, then the arm's. */
export function armOverrides(arm: Arm, budget: Budget, seed: number, sets: readonly EvalSetFile[], dir: string): string[] {
  const shared = [
    `name=${arm.id}`,
    `description=${arm.description}`,
    `batchSize=${budget.batchSize}`,
    `steps=${budget.steps}`,
    `seed=${seed}`,
    `schedule=${json({ type: 'polynomial', power: 2, warmupSteps: budget.warmupSteps, flavour: 'legacy' })}`,
    'data.randomFlip=true',
    // The crops as they are, for every arm (the CPU recipes align them when face-api is installed,
    // which would re-detect 5 000 faces in every run folder and differ between machines).
    'data.align=null',
    // Never the synthetic fallback: a comparison on synthetic identities would say nothing.
    'data.whenMissing=error',
    `evaluation=${json({ atStart: false, every: null, sets: sets.map(({ name, pairs, images }) => ({ name, pairs, images })) })}`,
    `checkpoint=${json({ every: budget.steps, keep: 1 })}`,
    `output=${json({ dir, tensorboard: false, report: true, saveModel: false })}`,
  ];
  if (budget.workers !== null) shared.push(`data.workers=${budget.workers}`);
  // Rate 0 on a detector arm still records the (empty) truth, so its corrections are all counted as false.
  if (arm.noise > 0 || arm.detector) shared.push(`data.labelNoise=${json({ rate: arm.noise, seed })}`);
  if (arm.family === 'cnn') {
    shared.push(
      `backbone=${json(budget.cnnBackbone)}`,
      `optimizer=${json({ type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })}`,
      'clipGradNorm=null',
    );
    if (arm.classifier) shared.push(`centers=${json({ package: '@fr/core', export: 'fullFC' })}`);
  } else if (budget.vitBackbone) {
    shared.push(`backbone=${json(budget.vitBackbone)}`);
  }
  if (arm.detector && budget.boundaryEpochStart !== null) shared.push(`margin.options.epochStart=${budget.boundaryEpochStart}`);
  return [...shared, ...arm.set];
}

/**
 * Every (arm, seed) run, seeds outer: every arm's first seed comes first, so a comparison stopped
 * early already covers every arm.
 */
export function planJobs(arms: readonly Arm[], budget: Budget, seeds: readonly number[], sets: readonly EvalSetFile[], options: { readonly examplesDir: string; readonly outDir: string; readonly commit?: string }): Job[] {
  return seeds.flatMap((seed) => arms.map((arm) => {
    const dir = join(options.outDir, 'runs', arm.id, `seed-${seed}`);
    const recipe = join(options.examplesDir, arm.recipe);
    const set = armOverrides(arm, budget, seed, sets, dir);
    const key = createHash('sha256').update(readFileSync(recipe)).update(JSON.stringify(set)).digest('hex').slice(0, 16);
    return { arm: arm.id, seed, recipe, set, dir, detector: arm.detector, key, commit: options.commit ?? 'unknown' };
  }));
}
