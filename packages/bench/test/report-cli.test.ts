/**
 * `fr-bench report` end to end with a saved backbone on the real pairs files (celeba-crops and
 * ORL): JSON + HTML + plots written, accuracy reported. Skips, saying why, without ../shared/data.
 */
import { describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, selectBackend } from '@fr/core';
import { createBackbone, saveBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { parseArgs } from '../src/cli/args.js';
import { datasetName, reportCommand } from '../src/cli/report-command.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const data = resolve(process.env.FR_DATA_DIR ?? resolve(repo, '../shared/data'));
const sets = [
  { name: 'celeba-crops', pairs: `${data}/celeba-crops-pairs.txt`, images: `${data}/celeba-crops`, nameFlag: true },
  // No --name: the report is named after the pairs file's folder.
  { name: 'orl-faces', pairs: `${data}/orl-faces/pairs.txt`, images: `${data}/orl-faces`, nameFlag: false },
];

describe('fr-bench report', () => {
  test('names a dataset after its file, or the folder of a generic pairs.txt', () => {
    expect(datasetName('/data/lfw.bin')).toBe('lfw');
    expect(datasetName('../shared/data/celeba-crops-pairs.txt')).toBe('celeba-crops-pairs');
    expect(datasetName('../shared/data/orl-faces/pairs.txt')).toBe('orl-faces');
  });

  for (const set of sets) {
    const present = existsSync(set.pairs) && existsSync(set.images);
    test.skipIf(!present)(`${set.name}: a saved backbone is evaluated from the CLI${present ? '' : ` (skipped: ${set.pairs} not found; set FR_DATA_DIR)`}`, async () => {
      await selectBackend('wasm', { log: null });
      const dir = mkdtempSync(`${tmpdir()}/fr-report-`);
      const backbone = createBackbone('mobilefacenet', { inputSize: 32, embeddingSize: 64, widthMultiplier: 0.25 }, { rng: Rng.fromSeed(1) });
      await saveBackbone(backbone, fileSystem(`${dir}/model`));
      const lines: string[] = [];
      await reportCommand(parseArgs(['--model', `${dir}/model`, '--pairs', set.pairs, '--images', set.images, '--out', `${dir}/report`, ...(set.nameFlag ? ['--name', set.name] : []), '--batch', '200', '--backend', 'wasm']), (l) => lines.push(l));
      expect(lines.join('\n')).toMatch(new RegExp(`^${set.name}: accuracy \\d+\\.\\d\\d% ± \\d+\\.\\d\\d% over 3000 pairs \\(mobilefacenet, wasm\\)`, 'm'));
      const report = JSON.parse(readFileSync(`${dir}/report/${set.name}.json`, 'utf8')) as { pairCount: number; accuracy: { mean: number }; usedFlip: boolean };
      expect(report.pairCount).toBe(3000);
      expect(report.usedFlip).toBe(true);
      expect(report.accuracy.mean).toBeGreaterThan(0.4);
      expect(readFileSync(`${dir}/report/${set.name}.html`, 'utf8')).toMatch(/<svg/);
      backbone.module.dispose();
    });
  }

  test('bad input gets a clear error naming the problem', async () => {
    await expect(reportCommand(parseArgs(['--pairs', 'x.txt']), () => undefined)).rejects.toThrow(/missing --model/);
    const dir = mkdtempSync(`${tmpdir()}/fr-report-`);
    await expect(reportCommand(parseArgs(['--model', `${dir}/nothing`, '--bin', 'x.bin', '--backend', 'cpu']), () => undefined)).rejects.toThrow(/nothing\/model\.json|no such file|ENOENT/);
  });
});
