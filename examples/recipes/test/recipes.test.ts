/**
 * Every recipe passes `--dry-run` (validated, every plugin resolved and built, composition
 * checked, FC memory planned, FLOPs counted); every CPU-sized recipe trains a few steps through
 * fr-train's pipeline at full model size, with a 40-pair slice of its evaluation set.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { readJsonl, type StepEvent } from '@fr/core';
import { formatPairs, pairsSubset, readPairsFile } from '@fr/data';
import { dryRun, loadRecipe, trainRecipe } from '@fr/train';

const here = fileURLToPath(new URL('..', import.meta.url));
const recipes = readdirSync(here).filter((f) => f.endsWith('.json') && f !== 'package.json' && f !== 'tsconfig.json').sort();
const cpu = recipes.filter((f) => f.endsWith('-cpu.json'));
// Plugin packages load from their TypeScript sources in tests (dist/ is not built in CI).
const conditions = ['@fr/source'];
const out = mkdtempSync(join(tmpdir(), 'fr-recipes-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const dataDir = process.env.FR_DATA_DIR ?? join(here, '../../../shared/data');
/** 10 folds × (2 genuine + 2 impostor) pairs taken from the full pairs file, when it is there. */
function tinyPairs(): string | null {
  const full = join(dataDir, 'celeba-crops-pairs.txt');
  if (!existsSync(full)) return null;
  const path = join(out, 'pairs-40.txt');
  writeFileSync(path, formatPairs(pairsSubset(readPairsFile(full), 2)));
  return path;
}

test('the recipe folder holds each method CPU-sized and paper-sized', () => {
  for (const name of ['arcface', 'boundaryface', 'topofr', 'transface', 'topofr-boundaryface', 'triplet-center']) {
    expect(recipes).toContain(`${name}.json`);
    expect(recipes).toContain(`${name}-cpu.json`);
  }
});

describe('fr-train --dry-run', () => {
  test.each(recipes)('%s', async (file) => {
    const loaded = loadRecipe(join(here, file), { set: [`output.dir=${out}/dry`] });
    const plan = await dryRun(loaded, { conditions });
    const r = loaded.recipe;
    expect(plan.plugins.map((p) => p.slot)).toEqual([
      ...(r.centers ? ['centers'] : []), ...(r.margin ? ['margin'] : []), ...r.losses.map((_, i) => `losses.${i}`), ...r.augments.map((_, i) => `augments.${i}`),
    ]);
    expect(plan.parameters).toBeGreaterThan(1e5);
    expect(plan.macsPerImage).toBeGreaterThan(1e6);
    expect(plan.flopsPerStep).toBeGreaterThan(6 * r.batchSize * plan.macsPerImage);
    expect('lines' in plan.fcPlan, JSON.stringify(plan.fcPlan)).toBe(true);
    expect(r.notes.length).toBeGreaterThan(0);
    if (!file.endsWith('-cpu.json')) expect(r.data.numClasses).toBeGreaterThan(10_000); // paper-sized: declared for planning without the data
  });
});

describe('each CPU recipe trains a few steps', () => {
  const pairs = tinyPairs();
  /** Terms each recipe's plugins must log. */
  const expectedTerms: Record<string, string[]> = {
    'arcface-cpu.json': ['ce'],
    'boundaryface-cpu.json': ['boundaryface/reg', 'ce'],
    'ring-loss-cpu.json': ['ce', 'ring/loss'],
    'topofr-boundaryface-cpu.json': ['boundaryface/reg', 'ce', 'isa/topo'],
    'topofr-cpu.json': ['ce', 'isa/topo'],
    'transface-cpu.json': ['ce'],
    'triplet-center-cpu.json': ['ce', 'center/loss', 'triplet/loss'],
  };
  test('every CPU recipe is covered', () => expect(Object.keys(expectedTerms).sort()).toEqual(cpu));
  test('every CPU recipe aligns the crops when the face detector is installed', () => {
    for (const file of cpu) expect(loadRecipe(join(here, file)).recipe.data.align, file).toBe('auto');
  });

  test.each(cpu)('%s', async (file) => {
    const dir = join(out, file);
    // data.align=null: aligning all 5 216 crops would take minutes per recipe (packages/train's
    // align-data test runs data.align "auto" on a handful of real faces).
    const set = [`output.dir=${dir}`, 'steps=3', 'schedule.warmupSteps=0', 'checkpoint.every=3', 'evaluation.atStart=false', 'data.workers=0', 'data.align=null'];
    if (pairs) set.push(`evaluation.sets.0.pairs=${pairs}`);
    const lines: string[] = [];
    const result = await trainRecipe(loadRecipe(join(here, file), { set }), { conditions, progress: null, log: (l) => lines.push(l), handleSigint: false });
    expect(result.reason).toBe('completed');
    expect(result.step).toBe(3);
    const steps = (await readJsonl(join(dir, 'train.jsonl'))).filter((e): e is StepEvent => e.type === 'step');
    expect(steps.map((e) => e.step)).toEqual([0, 1, 2]);
    expect(steps.every((e) => Number.isFinite(e.loss))).toBe(true);
    expect(Object.keys(steps[0]!.terms).sort()).toEqual(expectedTerms[file]);
    expect(result.after).toHaveLength(1);
    expect(result.after[0]!.report.pairCount).toBe(pairs ? 40 : 600);
    for (const f of [result.files.report, result.files.model, result.files.tensorboard]) expect(f !== null && existsSync(f), String(f)).toBe(true);
    // Every logged term reached the TensorBoard file under its tag.
    const events = readFileSync(result.files.tensorboard!).toString('latin1');
    for (const term of expectedTerms[file]!) expect(events).toContain(`terms/${term}`);
    expect(lines.join('\n')).toMatch(pairs ? /data: .*celeba-crops: 230 identities/ : /SYNTHETIC/);
  });
});
