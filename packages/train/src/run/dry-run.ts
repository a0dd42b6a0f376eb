/**
 * `fr-train --dry-run`: everything but training. The recipe validated and resolved, every plugin
 * built with the recipe's options and the composition checked, the center bank's memory planned
 * (loss-arcface's planner) and the FLOPs of a step counted from one profiled forward pass.
 * Nothing is allocated at the run's size: the backbone is built shape-only (zero weights) and the
 * center bank with at most {@link STAND_IN_CLASSES} classes.
 */
import { selectBackend, validateComposition } from '@fr/core';
import { createBackbone } from '@fr/backbones';
import { forwardMacsPerImage, trainStepFlops } from '@fr/bench';
import { InsightfaceRec, mPerClassEpochSize, readIdentityList, scanImageFolder } from '@fr/data';
import type { LoadedRecipe } from '../recipe/load.js';
import type { Recipe } from '../recipe/schema.js';
import { trainingDataPath } from '../data/open-data.js';
import { buildPlugins, disposePlugins, prepareRecipe } from './prepare.js';

/** Center banks are built with at most this many classes to check their options (a 2M-class bank would need gigabytes). */
export const STAND_IN_CLASSES = 1024;

/** What the data looks like without decoding it: counted from the folder or the `.idx`, or declared by the recipe. */
export interface DataCount {
  readonly numClasses: number | null;
  readonly images: number | null;
  readonly source: string;
}

/** The plan a dry run prints. */
export interface DryRunPlan {
  readonly recipe: LoadedRecipe['recipe'];
  readonly backend: string;
  readonly plugins: readonly { readonly slot: string; readonly package: string; readonly export: string; readonly kind: string; readonly name: string; readonly version: string }[];
  readonly data: DataCount;
  readonly parameters: number;
  readonly macsPerImage: number;
  readonly totalSteps: number | null;
  /** Train-step FLOPs (3 × 2 × MACs of backbone and cosine layer), or null without a class count. */
  readonly flopsPerStep: number | null;
  /** loss-arcface's FC memory plan, or why there is none. */
  readonly fcPlan: { readonly lines: readonly string[] } | { readonly skipped: string };
}

function countData(recipe: Recipe): DataCount {
  const where = trainingDataPath(recipe.data);
  const declared = recipe.data.numClasses ?? null;
  if (!where.present) {
    const fallback = recipe.data.whenMissing === 'error' ? '' : `; a run would use ${recipe.data.whenMissing.synthetic.numClasses} synthetic identities`;
    return { numClasses: declared, images: null, source: `absent (${where.path})${declared === null ? '' : `, ${declared} identities declared`}${fallback}` };
  }
  if ('imageFolder' in recipe.data.train) {
    const list = (v: string | readonly string[] | undefined) => (typeof v === 'string' ? readIdentityList(v) : v);
    const scan = scanImageFolder(recipe.data.train.imageFolder, { include: list(recipe.data.train.include), exclude: list(recipe.data.train.exclude) });
    const labels = Int32Array.from(scan.files, (f) => f.label);
    const images = typeof recipe.data.sampler === 'object' ? mPerClassEpochSize(labels, recipe.data.sampler.mPerClass) : labels.length;
    return { numClasses: scan.classNames.length, images, source: `${where.path} (counted, not decoded)` };
  }
  const rec = InsightfaceRec.open(where.path);
  try {
    return { numClasses: rec.numClasses, images: rec.images.length, source: `${where.path} (from its index)` };
  } finally {
    rec.close();
  }
}

const gflops = (x: number): string => (x >= 1e12 ? `${(x / 1e12).toFixed(2)} TFLOP` : `${(x / 1e9).toFixed(2)} GFLOP`);

// One profiled forward pass per backbone configuration and process (recipes often share one).
const macsByConfig = new Map<string, number>();

/** The FC memory plan from @fr/loss-arcface's planner (an optional peer: skipped, saying so, when absent). */
async function fcPlan(recipe: Recipe, numClasses: number | null, embeddingSize: number): Promise<DryRunPlan['fcPlan'] & { activeCentres?: number }> {
  if (!recipe.centers) return { skipped: 'no center bank' };
  if (numClasses === null) return { skipped: 'the class count is unknown (data absent and data.numClasses not given)' };
  let planner: typeof import('@fr/loss-arcface');
  try {
    planner = await import('@fr/loss-arcface');
  } catch {
    return { skipped: 'install @fr/loss-arcface for the FC memory plan' };
  }
  const sampleRate = typeof recipe.centers.options.sampleRate === 'number' ? recipe.centers.options.sampleRate : 1;
  const optimizer = recipe.optimizer.type === 'adamw' ? 'adamw' : recipe.optimizer.momentum > 0 ? 'sgd' : 'sgd-nomomentum';
  const batchSize = recipe.microBatchSize ?? recipe.batchSize;
  const plan = planner.planFcMemory({ numClasses, embeddingSize, batchSize, sampleRate, optimizer });
  const b = plan.bytes;
  const f = planner.formatBytes;
  return {
    activeCentres: plan.activeCentres,
    lines: [
      `${numClasses.toLocaleString('en')} classes × ${embeddingSize}, ${optimizer}, batch ${batchSize}${recipe.microBatchSize ? ' (micro-batch)' : ''}, sample rate ${sampleRate}: ${plan.activeCentres.toLocaleString('en')} centres per step`,
      `weight ${f(b.weight)}, optimizer slots ${f(b.optimizerSlots)}, gradient ${f(b.gradient)}, logits ${f(b.logits)}, active centres ${f(b.activeCentres)}`,
      `peak ${f(b.total)} (backward ${f(b.backwardPeak)}, update ${f(b.updatePeak)})`,
    ],
  };
}

/**
 * Validates and plans a recipe without training (see the module comment).
 * @example
 * ```ts
 * const plan = await dryRun(loadRecipe('examples/recipes/arcface.json'));
 * console.log(formatDryRun(plan).join('\n'));
 * ```
 */
export async function dryRun(loaded: LoadedRecipe, options: { readonly backend?: string; readonly conditions?: readonly string[]; readonly log?: ((line: string) => void) | null } = {}): Promise<DryRunPlan> {
  const { recipe } = loaded;
  const prepared = await prepareRecipe(loaded, options.conditions);
  const data = countData(recipe);
  const backend = await selectBackend(options.backend ?? process.env.FR_BACKEND ?? recipe.backend, { log: options.log ?? null });
  const backbone = createBackbone(recipe.backbone.architecture, recipe.backbone.options, { shapeOnly: true });
  try {
    const embeddingSize = backbone.embeddingSize;
    const standIn = Math.min(data.numClasses ?? STAND_IN_CLASSES, STAND_IN_CLASSES);
    const plugins = buildPlugins(prepared, { numClasses: standIn, embeddingSize, inputSize: backbone.preprocessing.inputSize, seed: recipe.seed });
    try {
      validateComposition({
        backbone, ...plugins,
        dataset: { numClasses: standIn, provides: typeof recipe.data.sampler === 'object' ? ['batch:m-per-class'] : [] },
      });
    } finally {
      disposePlugins(plugins);
    }
    const resolved = [
      ...(prepared.centers ? [prepared.centers] : []), ...(prepared.margin ? [prepared.margin] : []), ...prepared.losses, ...prepared.augments,
    ];
    const names = [plugins.centers, plugins.margin, ...plugins.losses, ...plugins.augments].filter((p) => p !== undefined).map((p) => p.name);
    const key = JSON.stringify(prepared.backboneConfig);
    const macsPerImage = macsByConfig.get(key) ?? await forwardMacsPerImage(backbone);
    macsByConfig.set(key, macsPerImage);
    const plan = await fcPlan(recipe, data.numClasses, embeddingSize);
    const active = 'activeCentres' in plan && plan.activeCentres !== undefined ? plan.activeCentres : data.numClasses;
    const batchesPerEpoch = data.images === null ? null : Math.floor(data.images / recipe.batchSize);
    return {
      recipe,
      backend: backend.name,
      plugins: resolved.map((r, i) => ({ slot: r.slot, package: r.ref.package, export: r.ref.export, kind: r.kind, name: names[i] ?? '?', version: r.package.manifest.version ?? '?' })),
      data,
      parameters: backbone.module.parameterCount(),
      macsPerImage,
      totalSteps: recipe.steps ?? (batchesPerEpoch === null ? null : (recipe.epochs as number) * batchesPerEpoch),
      flopsPerStep: recipe.centers && active === null ? null : trainStepFlops(macsPerImage, recipe.batchSize, recipe.centers ? (active as number) : 0, embeddingSize),
      fcPlan: 'lines' in plan ? { lines: plan.lines } : { skipped: plan.skipped },
    };
  } finally {
    backbone.module.dispose();
  }
}

/** The plan as the lines `--dry-run` prints after the resolved recipe. */
export function formatDryRun(plan: DryRunPlan): string[] {
  const r = plan.recipe;
  return [
    `recipe      ${r.name}${r.description ? ` — ${r.description}` : ''}`,
    ...r.notes.map((n) => `note        ${n}`),
    `backbone    ${r.backbone.architecture}: ${plan.parameters.toLocaleString('en')} parameters, ${gflops(2 * plan.macsPerImage)} forward per image`,
    ...plan.plugins.map((p) => `plugin      ${p.slot}: ${p.package}@${p.version} ${p.export} → ${p.kind} "${p.name}"`),
    `data        ${plan.data.numClasses ?? '?'} identities, ${plan.data.images ?? '?'} images per epoch — ${plan.data.source}`,
    `steps       ${plan.totalSteps ?? `? (${r.epochs} epochs of an unknown data size)`} × batch ${r.batchSize}${r.microBatchSize ? ` in micro-batches of ${r.microBatchSize}` : ''}`,
    `FLOPs/step  ${plan.flopsPerStep === null ? '? (class count unknown)' : `${gflops(plan.flopsPerStep)} (3 × forward: backbone + cosine layer)`}`,
    ...('lines' in plan.fcPlan ? plan.fcPlan.lines.map((l, i) => `${i === 0 ? 'FC memory ' : '          '}  ${l}`) : [`FC memory   skipped: ${plan.fcPlan.skipped}`]),
    `backend     ${plan.backend} (for the FLOP count)`,
    `output      ${r.output.dir}`,
  ];
}
