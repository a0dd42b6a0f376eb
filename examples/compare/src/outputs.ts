/**
 * Writes the comparison's outputs into its folder: `comparison.json` (everything, every seed's
 * values), `comparison.md` (the tables), the plots as SVG, and `index.html`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CLAIMS, type Arm } from './arms.js';
import type { Budget } from './budget.js';
import { accuracyPerArmSvg, accuracyVsNoiseSvg, detectorSvg } from './charts.js';
import type { EvalSetFile } from './eval-sets.js';
import { renderComparisonPage } from './page.js';
import type { Job } from './plan.js';
import type { RunResult } from './run-job.js';
import { summarizeArms, testClaims } from './summary.js';
import { accuracyTable, claimsTable, detectorTable, markdownTable, rocTable } from './tables.js';

/** How and where the comparison ran. */
export interface ComparisonMeta {
  readonly command: string;
  /** The commit(s) the runs were trained on (`+ uncommitted changes` when the tree was dirty). */
  readonly commit: string;
  readonly started: string;
  readonly finished: string;
  /** CPUs, load averages before and after, Node version, backend. */
  readonly machine: string;
  readonly budget: Budget;
  readonly seeds: readonly number[];
  readonly jobs: number;
  readonly sets: readonly EvalSetFile[];
  /** A sentence shown under the title (e.g. that a quick run's numbers mean nothing). */
  readonly note: string;
}

/** The files written. */
export interface ComparisonFiles {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
  readonly svgs: readonly string[];
}

/** The set the verdicts are on: the held-out identities of the training domain. */
export const PRIMARY_SET = 'celeba';

/** Summarises the results and writes every output into `outDir`. */
export function writeComparison(outDir: string, arms: readonly Arm[], jobs: readonly Job[], results: readonly RunResult[], meta: ComparisonMeta): ComparisonFiles {
  mkdirSync(outDir, { recursive: true });
  const summaries = summarizeArms(arms, results);
  const sets = meta.sets.map((s) => s.name);
  const claims = testClaims(CLAIMS.filter((c) => arms.some((a) => a.id === c.better) && arms.some((a) => a.id === c.than)), results, PRIMARY_SET);
  const claimRows = claimsTable(claims, sets, PRIMARY_SET);
  const tables = [accuracyTable(summaries, sets), rocTable(summaries, sets), detectorTable(summaries)];
  const plots = [
    { id: 'accuracy-per-arm', svg: accuracyPerArmSvg(summaries, sets) },
    { id: 'accuracy-vs-noise', svg: accuracyVsNoiseSvg(summaries, PRIMARY_SET) },
    { id: 'detector', svg: detectorSvg(summaries) },
  ];
  const svgs = plots.map((p) => {
    const path = join(outDir, `${p.id}.svg`);
    writeFileSync(path, `${p.svg}\n`);
    return path;
  });
  const reports: Record<string, { seed: number; href: string }[]> = {};
  for (const r of results) {
    const job = jobs.find((j) => j.arm === r.arm && j.seed === r.seed);
    if (job && r.report) (reports[r.arm] ??= []).push({ seed: r.seed, href: relative(outDir, join(job.dir, r.report)) });
  }
  const json = join(outDir, 'comparison.json');
  writeFileSync(json, `${JSON.stringify({ schema: 'fr-compare@1', meta, claims, arms: summaries, runs: results }, null, 2)}\n`);
  const markdown = join(outDir, 'comparison.md');
  const header = [
    `Measured with \`${meta.command}\` on commit ${meta.commit}, ${meta.started}; ${meta.machine}.`,
    `Budget: ${meta.budget.steps} steps × ${meta.budget.batchSize} images per run, seeds ${meta.seeds.join(', ')}.`,
  ].join('\n');
  writeFileSync(markdown, `${[header, markdownTable(claimRows), ...tables.map(markdownTable)].join('\n\n')}\n`);
  const html = join(outDir, 'index.html');
  writeFileSync(html, renderComparisonPage({ meta, arms: summaries, claims: claimRows, tables, plots, reports }));
  return { json, markdown, html, svgs };
}
