/**
 * A recipe's `data.align: "auto" | "always"`: before training, the training ImageFolder and the
 * images of every pairs evaluation set are aligned to the ArcFace template with @fr/data's face
 * detector (the optional `@vladmandic/face-api`), once, into `<output.dir>/aligned/` — resumable,
 * so a later run of the same recipe (or `--resume`) reuses them — and the run trains and evaluates
 * on the aligned copies. `auto` keeps the images as they are, saying so, when the detector is not
 * installed; `always` stops with what to install.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createProgress, type Progress } from '@fr/core';
import { DetectorUnavailableError, alignDataset, loadFaceApiDetector, type AlignReport, type FaceDetector } from '@fr/data';
import type { DataSpec, EvalSetSpec } from '../recipe/schema.js';
import { evalSetName } from '../run/eval-targets.js';
import { identityList, trainingDataPath } from './open-data.js';

/** The data a run uses once {@link alignRecipeData} has run. */
export interface RecipeDataPlan {
  /** The data spec to open: the aligned folder (filters already applied) or the recipe's own. */
  readonly data: DataSpec;
  /** The evaluation sets: pairs sets replaced by their aligned copies (named `<set>-aligned`). */
  readonly sets: readonly EvalSetSpec[];
  /** Which data this is, for the log and the report: what was aligned and how, or why not. */
  readonly note: string | null;
}

/** Progress lines (`[fr-train] aligning … 910/4555 (20%) 14.2 images/s ETA 4m16s`) through the run's log. */
function progress(what: string, log: (line: string) => void): (done: number, total: number) => void {
  let display: Progress | undefined;
  return (done, total) => {
    // The total is known once the input is listed; a resumed alignment starts part-way.
    display ??= createProgress({ write: (text: string) => log(text.replace(/\n$/, '')) }, { label: `[fr-train] aligning ${what}`, total, unit: 'images', start: done, mode: 'lines' });
    display.update(done);
  };
}

/** `4525 of 4555 aligned, 30 without a usable face left out`. */
function outcome(r: AlignReport): string {
  const missing = r.total - r.aligned;
  return `${r.aligned} of ${r.total} aligned${missing > 0 ? `, ${missing} without a usable face ${r.settings.ifNoFace === 'skip' ? 'left out' : 'kept unaligned (resized)'}` : ''}`;
}

/**
 * Aligns what `data.align: "auto" | "always"` asks for (see the module comment) and returns the
 * data and evaluation sets to use instead. Any other `data.align`, or absent training data (the
 * synthetic fallback or its error comes later), returns the recipe's own. Runs on the active
 * tfjs backend: select one first.
 *
 * @example
 * ```ts
 * await selectBackend('wasm');
 * const plan = await alignRecipeData(recipe.data, recipe.evaluation.sets, recipe.output.dir, console.log);
 * const data = await openTrainingData(plan.data, backbone.preprocessing, console.log);
 * ```
 */
export async function alignRecipeData(spec: DataSpec, sets: readonly EvalSetSpec[], dir: string, log: (line: string) => void): Promise<RecipeDataPlan> {
  const mode = spec.align;
  const unchanged: RecipeDataPlan = { data: spec, sets, note: null };
  if (mode !== 'auto' && mode !== 'always') return unchanged;
  if (!trainingDataPath(spec).present) return unchanged;
  const train = spec.train;
  if (!('imageFolder' in train)) throw new Error(`data.align ${JSON.stringify(mode)} works with data.train.imageFolder, not with data.train.rec (insightface .rec sets hold aligned faces already): set data.align to null`);

  let detector: FaceDetector;
  try {
    detector = await loadFaceApiDetector();
  } catch (e) {
    if (!(e instanceof DetectorUnavailableError)) throw e;
    if (mode === 'always') throw new Error(`data.align "always": ${e.message}`, { cause: e });
    log(`[fr-train] data.align auto: no face detector (${e.install} enables it): training and evaluating on the images AS THEY ARE, unaligned`);
    return { data: { ...spec, align: null }, sets, note: `NOT aligned (data.align auto: @vladmandic/face-api is not installed)` };
  }
  try {
    const root = join(dir, 'aligned');
    log(`[fr-train] data.align ${mode}: aligning to the ArcFace template with ${detector.name} into ${root} (once; later runs reuse it)`);
    const exclude = identityList(train.exclude);
    const trainReport = await alignDataset({
      input: train.imageFolder, out: join(root, 'train'), include: identityList(train.include), exclude, detector,
      log, onProgress: progress('data.train.imageFolder', log),
    });
    const aligned: EvalSetSpec[] = [];
    const setNotes: string[] = [];
    for (const [i, set] of sets.entries()) {
      // A .bin holds aligned 112×112 faces already; a missing pairs set is reported by the evaluation.
      if (!('pairs' in set) || !existsSync(set.pairs) || !existsSync(set.images)) {
        aligned.push(set);
        continue;
      }
      const name = evalSetName(set);
      const out = join(root, 'evaluation', name);
      const report = await alignDataset({ input: set.pairs, images: set.images, out, detector, log, onProgress: progress(`evaluation.sets.${i} (${name})`, log) });
      aligned.push({ name: `${name}-aligned`, pairs: join(out, basename(set.pairs)), images: out });
      setNotes.push(`${name}: ${outcome(report)}`);
    }
    const note = [
      `ALIGNED to the ArcFace template by ${detector.name} from ${train.imageFolder}`,
      `(training images: ${outcome(trainReport)}${exclude ? `; ${exclude.length} ${exclude.length === 1 ? 'identity' : 'identities'} excluded` : ''}${setNotes.length ? `; pair images: ${setNotes.join('; ')}` : ''})`,
    ].join(' ');
    return { data: { ...spec, train: { imageFolder: trainReport.out }, align: null }, sets: aligned, note };
  } finally {
    detector.dispose();
  }
}
