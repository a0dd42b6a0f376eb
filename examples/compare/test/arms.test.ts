/**
 * Every arm of the default comparison is a valid fr-train recipe (dry run: plugins resolved and
 * built, composition checked), and the arms of a family differ only in their method: the same
 * backbone, optimiser, schedule, steps, batch, seed, data and evaluation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { dryRun, loadRecipe } from '@fr/train';
import { ARMS, CLAIMS } from '../src/arms.js';
import { FULL, QUICK } from '../src/budget.js';
import type { EvalSetFile } from '../src/eval-sets.js';
import { planJobs } from '../src/plan.js';

const examplesDir = fileURLToPath(new URL('../../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'fr-compare-arms-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const sets: EvalSetFile[] = ['celeba', 'orl', 'yaleb'].map((name) => ({ name, pairs: join(out, `${name}.txt`), images: join(out, name), about: name }));

describe('the arms', () => {
  test('ids are unique; every claim names two arms', () => {
    expect(new Set(ARMS.map((a) => a.id)).size).toBe(ARMS.length);
    for (const c of CLAIMS) {
      expect(ARMS.map((a) => a.id)).toContain(c.better);
      expect(ARMS.map((a) => a.id)).toContain(c.than);
    }
  });

  const jobs = planJobs(ARMS, FULL, [2], sets, { examplesDir, outDir: out });
  test.each(jobs.map((j) => [j.arm, j] as const))('%s passes fr-train --dry-run', async (_arm, job) => {
    const plan = await dryRun(loadRecipe(job.recipe, { set: job.set }), { conditions: ['@fr/source'] });
    expect(plan.totalSteps ?? FULL.steps).toBe(FULL.steps);
  });

  test('within a family only the method differs', () => {
    const shared = (job: (typeof jobs)[number]) => {
      const r = loadRecipe(job.recipe, { set: job.set }).recipe;
      return {
        family: ARMS.find((a) => a.id === job.arm)!.family,
        budget: { backbone: r.backbone, batchSize: r.batchSize, steps: r.steps, seed: r.seed, optimizer: r.optimizer, schedule: r.schedule, clipGradNorm: r.clipGradNorm, randomFlip: r.data.randomFlip, align: r.data.align, train: r.data.train, evaluation: r.evaluation },
        r,
      };
    };
    const all = jobs.map(shared);
    for (const family of ['cnn', 'vit']) {
      const members = all.filter((s) => s.family === family);
      expect(members.length).toBeGreaterThanOrEqual(2);
      for (const m of members) expect(m.budget).toEqual(members[0]!.budget);
    }
    // The CNN classifiers share the center bank too (BoundaryFace's recipe's Xavier init overridden).
    for (const s of all.filter((x) => x.family === 'cnn' && x.r.centers)) expect(s.r.centers).toEqual({ package: '@fr/core', export: 'fullFC', options: {} });
    const noise = Object.fromEntries(all.map((s) => [s.r.name, s.r.data.labelNoise]));
    expect(noise['arcface-n20']).toEqual({ rate: 0.2, seed: 2 });
    expect(noise['boundaryface-n40']).toEqual({ rate: 0.4, seed: 2 });
    expect(noise['boundaryface']).toEqual({ rate: 0, seed: 2 });
    expect(noise['arcface']).toBeNull();
    for (const s of all) expect(s.r.data.align, s.r.name).toBeNull();
  });

  test('the quick budget changes sizes, not the arms', () => {
    const quick = planJobs(ARMS, QUICK, [1], sets, { examplesDir, outDir: out });
    const boundary = quick.find((j) => j.arm === 'boundaryface-n20')!;
    const r = loadRecipe(boundary.recipe, { set: boundary.set }).recipe;
    expect([r.steps, r.batchSize, r.backbone.options.inputSize]).toEqual([3, 8, 24]);
    expect(r.margin?.options.epochStart).toBe(-1);
    expect(quick.map((j) => j.arm)).toEqual(ARMS.map((a) => a.id));
  });
});
