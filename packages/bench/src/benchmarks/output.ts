/** Result files of `fr-bench bench`: `<suite>.json`, `<suite>.svg`, `summary.json`, `summary.txt`. */
import { join } from 'node:path';
import { writeFileAtomic } from '@fr/core';
import { renderBarChart } from './chart.js';
import { renderLineChart } from './line-chart.js';
import { renderTable } from './stats.js';
import type { SuiteResult } from './types.js';

/** The text of a suite's result as printed: status line, then each table. */
export function suiteText(result: SuiteResult): string[] {
  const head = `■ ${result.suite} — ${result.title}${result.seconds !== undefined ? ` (${result.seconds.toFixed(0)} s)` : ''}`;
  const lines = [head];
  if (result.status !== 'ok') lines.push(`  ${result.status.toUpperCase()}: ${result.reason ?? ''}`);
  for (const table of result.tables) lines.push('', ...renderTable(table));
  return lines;
}

/** JSON without typed arrays or non-finite numbers (written as null). */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    return v;
  }, 2);
}

/** Writes `<suite>.json` and one SVG per chart; returns the paths written. */
export async function writeSuite(outDir: string, result: SuiteResult): Promise<string[]> {
  const files: string[] = [];
  const json = join(outDir, `${result.suite}.json`);
  await writeFileAtomic(json, `${toJson(result)}\n`);
  files.push(json);
  for (const [i, chart] of result.charts.entries()) {
    const path = join(outDir, result.charts.length === 1 ? `${result.suite}.svg` : `${result.suite}-${i + 1}.svg`);
    const svg = 'kind' in chart ? renderLineChart(chart, `${result.suite}-${i + 1}`) : renderBarChart(chart, `${result.suite}-${i + 1}`);
    await writeFileAtomic(path, `${svg}\n`);
    files.push(path);
  }
  return files;
}

/** Writes `summary.json` (environment + every result) and `summary.txt` (the printed tables). */
export async function writeSummary(outDir: string, environment: Record<string, unknown>, results: readonly SuiteResult[]): Promise<string[]> {
  const json = join(outDir, 'summary.json');
  const txt = join(outDir, 'summary.txt');
  await writeFileAtomic(json, `${toJson({ environment, results })}\n`);
  const env = Object.entries(environment).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  await writeFileAtomic(txt, `${[...env, '', ...results.flatMap((r) => [...suiteText(r), ''])].join('\n')}\n`);
  return [json, txt];
}
