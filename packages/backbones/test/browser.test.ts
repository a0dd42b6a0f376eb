import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng, type Backbone } from '@fr/core';
import { createBackbone, embedPixels, loadBackbone, saveBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { useCpu } from './support/setup.js';
import { TINY, images } from './support/checks.js';
import { bundleForBrowser, type BrowserBundle } from './support/browser-bundle.js';
import { serveFolders, tempDir } from './support/model-files.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`[browser.test] skipped: ${CHROMIUM} is not installed (Debian package "chromium")`);

/** Deterministic RGBA pixels; the same formula runs in the page. */
const PIXELS = `(size) => { const d = new Uint8ClampedArray(size * size * 4); for (let i = 0; i < d.length; i++) d[i] = (i * 31 + ((i * i) % 251)) % 256; return { data: d, width: size, height: size }; }`;

// A tiny app: tfjs-core + the cpu backend + @fr/backbones, loading the model over http.
const ENTRY = `
import '@tensorflow/tfjs-backend-cpu';
import { tf } from '@fr/core';
import { loadBackbone, embedPixels } from '@fr/backbones';
const w = window as any;
(async () => {
  await tf.setBackend('cpu');
  const backbone = await loadBackbone(new URL('/model/model.json', location.href).href, { expect: { colorOrder: 'rgb', normalization: 'minus1to1' } });
  const pixels = (${PIXELS})(backbone.preprocessing.inputSize);
  const e = embedPixels(backbone, pixels);
  w.__result = { embedding: Array.from(await e.data()), backend: tf.getBackend(), name: backbone.name, training: backbone.module.training };
})().catch((err) => { w.__error = String((err && err.stack) || err); });
`;

describe.skipIf(!HAVE_CHROMIUM)('browser: a saved backbone loads and embeds in headless Chromium', () => {
  const dirs: string[] = [];
  let bundle: BrowserBundle;
  let original: Backbone;
  let modelDir: string;

  beforeAll(async () => {
    await useCpu();
    original = createBackbone(TINY.transface.name, TINY.transface.options, { rng: Rng.fromSeed(4) });
    const x = images(original, 4);
    tf.tidy(() => {
      original.forward(x, { training: true, rng: Rng.fromSeed(1) }); // non-trivial BN statistics
    });
    x.dispose();
    modelDir = tempDir();
    dirs.push(modelDir);
    await saveBackbone(original, fileSystem(modelDir));
    bundle = await bundleForBrowser(ENTRY);
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('the bundle holds tfjs-core, the cpu backend and @fr sources only — no Node built-ins', () => {
    const packages = new Set(bundle.inputs.map((p) => {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
      return m ? m[1] : p.startsWith('packages/') ? `packages/${p.split('/')[1]}` : p;
    }));
    expect([...packages].filter((p) => /^node:|^(fs|path|os|crypto)$/.test(p as string))).toEqual([]);
    expect(packages).toContain('@tensorflow/tfjs-core');
    expect(packages).toContain('@tensorflow/tfjs-backend-cpu');
    expect(packages).toContain('packages/backbones');
    expect(bundle.inputs.some((p) => p.includes('backbones/src/io/file-system'))).toBe(false);
    console.info(`[browser.test] bundle ${(bundle.code.length / 1024).toFixed(0)} KiB minified from: ${[...packages].join(', ')}`);
  });

  test('embedding equals the Node one', async () => {
    const { chromium } = await import('playwright-core');
    const server = await serveFolders({ '/model/': modelDir }, {
      '/': '<!doctype html><meta charset="utf-8"><title>fr</title><script type="module" src="/app.js"></script>',
      '/app.js': bundle.code,
    });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => (window as any).__result || (window as any).__error, null, { timeout: 90_000 });
      const error = await page.evaluate(() => (window as any).__error as string | undefined);
      expect(error, logs.join('\n')).toBeUndefined();
      const result = await page.evaluate(() => (window as any).__result as { embedding: number[]; backend: string; name: string; training: boolean });
      expect(result.backend).toBe('cpu');
      expect(result.name).toBe('transface_s');
      expect(result.training).toBe(false);

      const loaded = await loadBackbone(fileSystem(modelDir));
      const pixels = (new Function(`return ${PIXELS}`)() as (s: number) => { data: Uint8ClampedArray; width: number; height: number })(loaded.preprocessing.inputSize);
      const node = Array.from(embedPixels(loaded, pixels).dataSync());
      expect(result.embedding).toHaveLength(node.length);
      const diff = Math.max(...node.map((v, i) => Math.abs(v - (result.embedding[i] as number))));
      expect(diff).toBeLessThan(1e-5);
      loaded.module.dispose();
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
