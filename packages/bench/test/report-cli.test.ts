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
import { captureCli } from '@fr/core/testing';
import { datasetName } from '../src/cli/report-command.js';
import { runBenchCli } from '../src/cli/run.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const data = resolve(process.env.FR_DATA_DIR ?? resolve(repo, '../shared/data'));
const sets = [
  { name: 'celeba-crops', pairs: `${data}/celeba-crops-pairs.txt`, images: `${data}/celeba-crops`, nameFlag: true },
  // No --name: the report is named after the pairs file's folder.
  { name: 'orl-faces', pairs: `${data}/orl-faces/pairs.txt`, images: `${data}/orl-faces`, nameFlag: false },
];

/** Runs fr-bench in this process with captured output. */
const cli = (...argv: string[]) => captureCli((io) => runBenchCli(argv, io));

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
      const run = await cli('report', '--model', `${dir}/model`, '--pairs', set.pairs, '--images', set.images, '--out', `${dir}/report`, ...(set.nameFlag ? ['--name', set.name] : []), '--batch', '200', '--backend', 'wasm');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^${set.name}: accuracy \\d+\\.\\d\\d% ± \\d+\\.\\d\\d% over 3000 pairs \\(mobilefacenet, wasm\\)\\n {2}AUC 0\\.\\d{4}, EER \\d+\\.\\d\\d%`, 'm'));
      expect(run.stdout).not.toMatch(/\d\.\d{7,}/); // rounded numbers only
      expect(run.stderr).toMatch(/^\[fr\] backend wasm/); // off a TTY: no bar, the backend line only (a 3000-pair run takes seconds)
      const report = JSON.parse(readFileSync(`${dir}/report/${set.name}.json`, 'utf8')) as { pairCount: number; accuracy: { mean: number }; usedFlip: boolean };
      expect(report.pairCount).toBe(3000);
      expect(report.usedFlip).toBe(true);
      expect(report.accuracy.mean).toBeGreaterThan(0.4);
      expect(readFileSync(`${dir}/report/${set.name}.html`, 'utf8')).toMatch(/<svg/);
      backbone.module.dispose();
    });
  }

  test('bad arguments are named before any backend is probed: missing, misspelt (closest flag), absent files', async () => {
    const dir = mkdtempSync(`${tmpdir()}/fr-report-`);
    expect(await cli('report', '--pairs', 'x.txt')).toEqual({ code: 2, stdout: '', stderr: "fr-bench report: missing --model <dir|model.json|model.onnx>\nRun 'fr-bench report --help' for the options.\n" });
    expect(await cli('report', '--modle', `${dir}/m`, '--bin', 'x.bin')).toEqual({ code: 2, stdout: '', stderr: "fr-bench report: unknown option --modle (did you mean --model?)\nRun 'fr-bench report --help' for the options.\n" });
    expect(await cli('report', '--model', `${dir}/m`, '--pairs', 'p.txt')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^fr-bench report: --pairs needs --images too\n/) });
    expect(await cli('report', '--model', `${dir}/m`, '--bin', 'x.bin', '--batch', '0')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--batch must be an integer in \[1, ∞\], got "0"/) });
    expect(await cli('report', '--model', `${dir}/nothing`, '--bin', 'x.bin', '--backend', 'cpu')).toEqual({ code: 1, stdout: '', stderr: `fr-bench report: --model ${dir}/nothing: ${dir}/nothing/model.json does not exist\n` });
  });

  test('--version, --help per command, unknown commands', async () => {
    expect((await cli('--version')).stdout).toMatch(/^fr-bench \d+\.\d+\.\d+\n$/);
    const help = await cli('report', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^fr-bench report --model/);
    for (const flag of ['--model', '--pairs', '--images', '--bin', '--out', '--name', '--batch', '--no-flip', '--backend']) expect(help.stdout).toContain(flag);
    expect((await cli('reprot')).stderr).toMatch(/^fr-bench: unknown command "reprot" \(did you mean report\?\)/);
    expect((await cli('bench', '--quick', '--ful')).stderr).toMatch(/unknown option --ful \(did you mean --full\?\)/);
  });
});
