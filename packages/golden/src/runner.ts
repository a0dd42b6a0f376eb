import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareNumbers } from './compare.js';
import type { GoldenAdapter, GoldenCase, GoldenFile, Tolerance } from './schema.js';

/** The golden directory: env `FR_GOLDEN_DIR`, else `../shared/golden` beside the repository. */
export function goldenDir(): string {
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  return resolve(process.env.FR_GOLDEN_DIR ?? resolve(repoRoot, '../shared/golden'));
}

export interface LoadedGoldenFile {
  readonly fileName: string;
  readonly file: GoldenFile;
}

/** Every `*.json` golden file of the directory (empty when the directory is absent). */
export function loadGoldenFiles(dir = goldenDir()): LoadedGoldenFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((fileName) => ({ fileName, file: JSON.parse(readFileSync(resolve(dir, fileName), 'utf8')) as GoldenFile }));
}

function tolerance(file: GoldenFile, kind: 'value' | 'grad'): Tolerance {
  const t = (file.tolerance[kind] ?? file.tolerance.value) as Tolerance | undefined;
  if (!t || typeof t.atol !== 'number' || typeof t.rtol !== 'number') throw new Error(`file has no usable tolerance.${kind}`);
  return t;
}

/** Runs one case through its adapter; returns every mismatch (empty when it passes). */
export async function runGoldenCase(adapter: GoldenAdapter, testCase: GoldenCase, file: GoldenFile): Promise<string[]> {
  const actual = await adapter.run(testCase, file);
  const problems: string[] = [];
  for (const [key, expected] of Object.entries(testCase.expected)) {
    if (adapter.skipKeys && key in adapter.skipKeys) continue;
    if (!(key in actual)) {
      problems.push(`${key}: not produced by the adapter`);
      continue;
    }
    const custom = adapter.compare?.(key, actual[key], expected, testCase, file);
    if (custom !== undefined) {
      if (custom) problems.push(`${key}: ${custom}`);
      continue;
    }
    const tol = adapter.exactKeys?.includes(key) ? 'exact' : tolerance(file, key.startsWith('grad') ? 'grad' : 'value');
    const message = compareNumbers(actual[key], expected, tol);
    if (message) problems.push(`${key}: ${message}`);
  }
  return problems;
}

/** The adapter that claims a file, or undefined (the file is then reported as skipped). */
export function adapterFor(adapters: readonly GoldenAdapter[], loaded: LoadedGoldenFile): GoldenAdapter | undefined {
  return adapters.find((a) => a.matches(loaded.file, loaded.fileName));
}
