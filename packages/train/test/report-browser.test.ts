/**
 * The training report in headless Chromium: curves drawn, evaluation table filled, ROC present,
 * and a full-page screenshot that is not blank. Skips (saying why) without /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { EvalEvent, StepEvent } from '@fr/core';
import { CHROMIUM_ARGS, buildVerificationReport, formatAccuracy } from '@fr/bench';
import { renderTrainingReport } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';

function fixture() {
  const steps: StepEvent[] = Array.from({ length: 200 }, (_, s) => ({
    type: 'step', step: s, epoch: Math.floor(s / 50), batchInEpoch: (s % 50) + 1, loss: 8 * Math.exp(-s / 80) + 0.3 * Math.sin(s), terms: { ce: 7 * Math.exp(-s / 80), 'isa/topo': 0.5 },
    metrics: { 'sds/w1': 1 + 0.001 * s }, lr: 0.1 * (1 - s / 200) ** 2, gradNorm: 3 + Math.cos(s), clipped: false, skipped: false, batchSize: 32, stepSeconds: 0.3, dataSeconds: 0, imagesPerSecond: 100,
  }));
  const evaluations: EvalEvent[] = [0, 100, 200].map((step, i) => ({ type: 'eval', step, name: 'celeba-crops-pairs', metrics: { accuracy: 0.6 + 0.05 * i, std: 0.03, auc: 0.65 + 0.05 * i, eer: 0.4 - 0.05 * i, xnorm: 10 }, seconds: 20 }));
  const n = 600;
  const issame = Array.from({ length: n }, (_, k) => k % 2 === 0);
  const distances = issame.map((same, k) => (same ? 0.8 : 1.4) + 0.5 * Math.sin(k * 12.9898));
  const report = buildVerificationReport({ dataset: 'celeba-crops-pairs', model: 'test', issame, distances });
  return { steps, evaluations, report };
}

function nonBackground(png: PNG): number {
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 235 || png.data[i + 1]! < 235 || png.data[i + 2]! < 235) count++;
  return count;
}

if (!existsSync(CHROMIUM)) {
  it.skip(`training report in headless Chromium: ${CHROMIUM} not found (apt-get install -y chromium)`, () => {});
} else {
  describe('training report in headless Chromium', () => {
    it('draws the curves, the evaluation table, the ROC and the recipe; the screenshot is not blank', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'fr-train-report-'));
      try {
        const { steps, evaluations, report } = fixture();
        const html = join(dir, 'report.html');
        await writeFile(html, renderTrainingReport({
          name: 'topofr-cpu', description: 'a test run', notes: ['a note'], summary: [['Backend', 'wasm']],
          steps, evaluations, lastReports: [report], recipe: { backbone: { architecture: 'iresnet18' } },
        }));
        const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
        try {
          const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
          const errors: string[] = [];
          page.on('pageerror', (e) => errors.push(String(e)));
          await page.goto(pathToFileURL(html).href);
          expect(await page.locator('#headline').innerText()).toBe(`celeba-crops-pairs: ${formatAccuracy(report)} (untrained 60.00%)`);
          expect(await page.locator('table.evaluations tr').count()).toBe(4);
          const drawn = await page.evaluate(() => ['loss-chart', 'accuracy-chart', 'lr-chart', 'grad-norm-chart', 'metric-chart-0', 'roc-plot'].map((id) => {
            const paths = Array.from(document.querySelectorAll(`#${id} path`)) as SVGPathElement[];
            return { id, longest: Math.max(0, ...paths.map((p) => p.getTotalLength())) };
          }));
          for (const d of drawn) expect(d.longest, d.id).toBeGreaterThan(100);
          expect(await page.locator('#recipe').innerText()).toContain('iresnet18');
          const shot = join(dir, 'shot.png');
          await page.screenshot({ path: shot, fullPage: true });
          if (process.env.FR_TRAIN_SHOT) await writeFile(process.env.FR_TRAIN_SHOT, await readFile(shot));
          const png = PNG.sync.read(await readFile(shot));
          expect(png.height).toBeGreaterThan(1200);
          // Text, axes and curves: well over 2% of the page's pixels differ from the white background.
          expect(nonBackground(png) / (png.width * png.height)).toBeGreaterThan(0.02);
          expect(errors).toEqual([]);
        } finally {
          await browser.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
