/**
 * The deploy page (deploy.html) in headless Chromium: a MobileFaceNet made with @fr, exported with
 * @fr/interop to ONNX and to a tfjs GraphModel, embeds one face crop (from ../shared/data when
 * present, else a synthetic image, said so) in onnxruntime-web and in plain tfjs — with no @fr
 * code in the page's bundle. Both must give @fr's embedding of the same pixels (max |Δ| ≤ 1e-4
 * after L2-normalisation). Skips, saying so, without /usr/bin/chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { l2Normalize, Rng, selectBackend, tf } from '@fr/core';
import { createBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { decodeImage, resizeBilinear, type RgbImage } from '@fr/data';
import { exportGraphModel, exportOnnx } from '@fr/interop';
import { buildPage, ORT_FILES, type BuildResult } from '../scripts/build.js';
import { serveFolder, type StaticServer } from '../scripts/serve.js';
import type { DeployResult } from '../src/deploy-result.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`[deploy-page.test] skipped: ${CHROMIUM} is not installed (Debian package "chromium"); nothing was checked in a browser`);
const SIZE = 48;
const DATA = resolve(process.env.FR_DATA_DIR ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url)));

/** A face crop scaled to SIZE, or a synthetic image when ../shared/data is absent. */
function faceImage(): { image: RgbImage; source: string } {
  const root = join(DATA, 'celeba-crops');
  if (existsSync(root)) {
    const person = readdirSync(root).sort()[0] as string;
    const file = join(root, person, readdirSync(join(root, person)).sort()[0] as string);
    const decoded = decodeImage(new Uint8Array(readFileSync(file)), { file });
    return { image: resizeBilinear(decoded, SIZE, SIZE), source: file };
  }
  console.warn(`[deploy-page.test] ${root} not found (set FR_DATA_DIR): using a synthetic image, not a face`);
  const data = new Uint8Array(SIZE * SIZE * 3).map((_, i) => (i * 37 + (i % 7) * 11) % 256);
  return { image: { width: SIZE, height: SIZE, data }, source: 'synthetic' };
}

describe.skipIf(!HAVE_CHROMIUM)('examples/browser-training deploy page: an exported model in onnxruntime-web and plain tfjs', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'fr-deploy-page-'));
  let built: BuildResult;
  let server: StaticServer;
  let expected: Float32Array;

  beforeAll(async () => {
    built = await buildPage({ outDir: join(outDir, 'site') });
    await selectBackend('cpu', { log: null });
    const backbone = createBackbone('mobilefacenet', { inputSize: SIZE, widthMultiplier: 0.25, embeddingSize: 64 }, { rng: Rng.fromSeed(21) });
    writeFileSync(join(built.outDir, 'model.onnx'), exportOnnx(backbone));
    await fileSystem(join(built.outDir, 'web')).save!(exportGraphModel(backbone));
    const { image, source } = faceImage();
    const png = new PNG({ width: SIZE, height: SIZE });
    for (let p = 0; p < SIZE * SIZE; p++) {
      png.data.set([image.data[p * 3]!, image.data[p * 3 + 1]!, image.data[p * 3 + 2]!, 255], p * 4);
    }
    writeFileSync(join(built.outDir, 'face.png'), PNG.sync.write(png));
    console.info(`[deploy-page.test] face: ${source}`);
    // @fr's own embedding of exactly these pixels (x/127.5 − 1), for the comparison.
    expected = tf.tidy(() => {
      const x = tf.sub(tf.div(tf.tensor4d(Float32Array.from(image.data), [1, SIZE, SIZE, 3]), 127.5), 1) as tf.Tensor4D;
      return l2Normalize(backbone.forward(x, { training: false, rng: Rng.fromSeed(0) }).embedding).dataSync() as Float32Array;
    });
    backbone.module.dispose();
    server = await serveFolder(built.outDir);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  test('the deploy bundle holds no @fr code; onnxruntime-web\'s wasm sits next to it', () => {
    const deploy = built.entryInputs.deploy ?? [];
    expect(deploy.some((p) => p.includes('onnxruntime-web'))).toBe(true);
    expect(deploy.some((p) => p.includes('tfjs-converter'))).toBe(true);
    expect(deploy.filter((p) => p.startsWith('packages/'))).toEqual([]);
    expect(built.files.map((f) => f.name)).toEqual(expect.arrayContaining(['deploy.html', 'deploy.js', ...ORT_FILES]));
  });

  test('both runtimes embed the face as @fr does', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(`${server.url}/deploy.html?onnx=model.onnx&graph=web/model.json&image=face.png`);
      await page.waitForSelector('#status[data-done="true"]', { state: 'attached', timeout: 90_000 });
      const result = await page.evaluate(() => window.__frDeploy as DeployResult);
      expect(result.ok, `${result.error}\n${logs.join('\n')}`).toBe(true);
      expect([result.inputSize, result.embeddingSize]).toEqual([SIZE, 64]);
      const diff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (x, i) => Math.abs(x - (b[i] as number))));
      // The page fed exactly the PNG's pixels, normalised as the contract says.
      const pixels = Float32Array.from(readPngPixels(join(built.outDir, 'face.png')), (v) => v / 127.5 - 1);
      expect(diff(result.pixels, pixels)).toBeLessThan(1e-6);
      console.info(`[deploy-page.test] cosine(ort-web, tfjs) ${result.cosine.toFixed(7)}; max |Δ| vs @fr: ort-web ${diff(result.onnx, expected).toExponential(2)}, tfjs ${diff(result.graph, expected).toExponential(2)}; ${result.seconds.toFixed(1)} s`);
      expect(diff(result.onnx, expected)).toBeLessThanOrEqual(1e-4);
      expect(diff(result.graph, expected)).toBeLessThanOrEqual(1e-4);
      expect(await page.textContent('#status')).toMatch(/^done: cosine\(onnxruntime-web, tfjs\) = 1\.0000|^done: cosine\(onnxruntime-web, tfjs\) = 0\.9999/);
      const artifacts = process.env.FR_EXAMPLE_ARTIFACTS;
      if (artifacts) {
        mkdirSync(artifacts, { recursive: true });
        await page.screenshot({ path: join(artifacts, 'deploy.png'), fullPage: true });
      }
    } finally {
      await browser.close();
    }
  });
});

function readPngPixels(file: string): number[] {
  const png = PNG.sync.read(readFileSync(file));
  const out: number[] = [];
  for (let p = 0; p < png.width * png.height; p++) out.push(png.data[p * 4]!, png.data[p * 4 + 1]!, png.data[p * 4 + 2]!);
  return out;
}
