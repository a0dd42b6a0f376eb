/**
 * Renders a report to a temporary directory, opens the HTML in headless Chromium and checks
 * what a reader sees. Skips (with the reason in the test name) when /usr/bin/chromium is absent.
 * Set FR_BENCH_ARTIFACTS_DIR to keep the report and the screenshot.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, formatAccuracy, renderVerificationReport } from '@fr/bench';
import { syntheticPairs } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';

function distinctColours(png: PNG): number {
  const seen = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4 * 7) seen.add(png.data.readUInt32BE(i));
  return seen.size;
}

if (!existsSync(CHROMIUM)) {
  it.skip(`HTML report in headless Chromium: ${CHROMIUM} not found (apt-get install -y chromium)`, () => {});
} else {
  describe('HTML report in headless Chromium', () => {
    it('shows the accuracy, draws the plots, exports PNGs, takes a screenshot', async () => {
      const keep = process.env['FR_BENCH_ARTIFACTS_DIR'];
      const dir = keep !== undefined && keep !== '' ? resolve(keep) : await mkdtemp(join(tmpdir(), 'fr-bench-browser-'));
      await mkdir(dir, { recursive: true });
      try {
        const data = syntheticPairs(1200, 32, 7, 0.9);
        const { report, files, pngSkipped } = await renderVerificationReport(
          { dataset: 'synthetic-lfw', model: 'toy-r18', ...data, metadata: { note: 'browser test' } },
          { outDir: dir, png: 'auto', chromiumPath: CHROMIUM },
        );
        expect(pngSkipped).toBeUndefined();
        expect(files.png).not.toBeNull();
        for (const p of Object.values(files.png!)) {
          const png = PNG.sync.read(await readFile(p));
          expect(png.width).toBeGreaterThan(500); // device scale 2
          expect(distinctColours(png)).toBeGreaterThan(10); // not blank
        }

        const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
        try {
          const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
          const errors: string[] = [];
          page.on('pageerror', (e) => errors.push(String(e)));
          page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
          await page.goto(pathToFileURL(files.html).href);
          const headline = await page.locator('#headline').innerText();
          expect(headline).toContain(formatAccuracy(report));
          expect(await page.locator('#accuracy').innerText()).toBe(formatAccuracy(report));
          expect(await page.locator('table.folds tr').count()).toBe(11);

          for (const id of ['roc-plot', 'score-plot', 'fold-plot']) {
            const drawn = await page.evaluate((svgId) => {
              const svg = document.getElementById(svgId);
              if (svg === null) return null;
              return Array.from(svg.querySelectorAll('path')).map((p) => {
                const box = p.getBBox();
                return { cls: p.getAttribute('class'), len: p.getTotalLength(), w: box.width, h: box.height };
              });
            }, id);
            expect(drawn, `#${id} missing`).not.toBeNull();
            const visible = drawn!.filter((p) => p.len > 0 && (p.w > 0 || p.h > 0));
            expect(visible.length, `#${id} has no drawn path`).toBeGreaterThan(0);
          }
          const roc = await page.evaluate(() => {
            const p = document.querySelector('#roc-plot path.roc-curve') as SVGPathElement;
            const b = p.getBBox();
            return { len: p.getTotalLength(), w: b.width, h: b.height };
          });
          expect(roc.w).toBeGreaterThan(100);
          expect(roc.h).toBeGreaterThan(100);
          const hist = await page.evaluate(() =>
            ['path.hist-genuine', 'path.hist-impostor', 'path.threshold'].map((s) => {
              const p = document.querySelector(`#score-plot ${s}`) as SVGPathElement;
              return p.getTotalLength();
            }),
          );
          for (const len of hist) expect(len).toBeGreaterThan(50);

          const shot = join(dir, 'report-screenshot.png');
          await page.screenshot({ path: shot, fullPage: true });
          const png = PNG.sync.read(await readFile(shot));
          expect(png.height).toBeGreaterThan(900);
          expect(distinctColours(png)).toBeGreaterThan(20);
          expect(errors).toEqual([]);
          if (keep !== undefined && keep !== '') console.log(`report screenshot: ${shot}`);
        } finally {
          await browser.close();
        }
      } finally {
        if (keep === undefined || keep === '') await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
