/**
 * A recipe's `data.align`: on the fly from a landmarks cache; `"auto"` / `"always"` with the face
 * detector (a handful of real faces from ../shared/data, skipped without them or the detector);
 * and in a process where the detector package cannot be loaded.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { selectBackend } from '@fr/core';
import {
  ARCFACE_TEMPLATE_112, DetectorUnavailableError, alignFace, decodeImage, encodeImage, fitSquare, formatLandmarksFile, loadFaceApiDetector, readLandmarksFile,
  type FaceLandmarks, type Point, type RgbImage,
} from '@fr/data';
import { alignRecipeData, dataSchema, loadRecipe, openTrainingData, trainRecipe } from '../src/index.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const sharedData = process.env.FR_DATA_DIR ?? resolve(repo, '../shared/data');
const dir = mkdtempSync(join(tmpdir(), 'fr-train-align-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A grey image with a white dot at each of five points (the template shifted by (dx, dy)). */
function face(dx: number, dy: number): { bytes: Uint8Array; points: Point[] } {
  const w = 140;
  const h = 130;
  const points = ARCFACE_TEMPLATE_112.map(([x, y]) => [x + dx, y + dy] as const);
  const data = new Uint8Array(w * h * 3).fill(60);
  for (const [px, py] of points) for (let y = -2; y <= 2; y++) for (let x = -2; x <= 2; x++) data.fill(255, ((Math.round(py) + y) * w + Math.round(px) + x) * 3, ((Math.round(py) + y) * w + Math.round(px) + x) * 3 + 3);
  return { bytes: encodeImage({ width: w, height: h, data }, 'png'), points };
}

describe('fr-train data.align', () => {
  test('aligns every image while loading; an image without a face is left out', async () => {
    const root = join(dir, 'faces');
    const images = new Map<string, FaceLandmarks | null>();
    for (const [key, dx, dy] of [['a/1.png', 20, 10], ['a/2.png', 5, 15], ['b/1.png', 12, 3]] as const) {
      mkdirSync(join(root, key.split('/')[0]!), { recursive: true });
      const f = face(dx, dy);
      writeFileSync(join(root, key), f.bytes);
      images.set(key, { landmarks: f.points });
    }
    writeFileSync(join(root, 'b/none.png'), face(0, 0).bytes);
    images.set('b/none.png', null);
    const cache = join(dir, 'landmarks.json');
    writeFileSync(cache, formatLandmarksFile({ images }));
    const spec = dataSchema.parse({ train: { imageFolder: root }, align: { landmarks: cache }, workers: 0, randomFlip: false });
    const lines: string[] = [];
    const data = await openTrainingData(spec, { inputSize: 112, colorOrder: 'rgb', normalization: 'minus1to1', embeddingNormalization: 'l2' }, (l) => lines.push(l));
    expect(data.dataset.size).toBe(3);
    expect(data.description).toContain(`aligned on the fly from ${cache}`);
    expect(lines.some((l) => l.includes('no face for') && l.includes('none.png'))).toBe(true);
    for await (const batch of data.dataset.batches({ epoch: 0, seed: 1, batchSize: 3, fromBatch: 0, dropLast: false })) {
      // Every image was shifted differently; aligned, the dots sit on the template: bright there.
      for (let i = 0; i < 3; i++) {
        for (const [x, y] of ARCFACE_TEMPLATE_112) expect(batch.images[((i * 112 + Math.round(y)) * 112 + Math.round(x)) * 3]).toBeGreaterThan(0.8);
      }
    }
    await data.close();
    const rec = dataSchema.parse({ train: { rec: join(dir, 'x.rec') }, align: { landmarks: cache } });
    writeFileSync(join(dir, 'x.rec'), '');
    writeFileSync(join(dir, 'x.idx'), '');
    await expect(openTrainingData(rec, { inputSize: 112, colorOrder: 'rgb', normalization: 'minus1to1', embeddingNormalization: 'l2' }, () => undefined)).rejects.toThrow('data.align: on-the-fly alignment works with data.train.imageFolder');
  });
});

/** Mean absolute difference of two same-sized images, per channel value. */
function meanDifference(a: RgbImage, b: RgbImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] as number) - (b.data[i] as number));
  return sum / a.data.length;
}

/** A seconds-long recipe: a tiny MobileFaceNet trained 2 steps on `train` (`data.train`). */
function tinyRecipe(file: string, train: { imageFolder: string; exclude?: string[] }, align: string, extra: Record<string, unknown> = {}): string {
  writeFileSync(file, JSON.stringify({
    backend: 'wasm',
    backbone: { architecture: 'mobilefacenet', options: { inputSize: 16, widthMultiplier: 0.25, embeddingSize: 16 } },
    centers: { package: '@fr/core', export: 'fullFC' },
    margin: { package: '@fr/loss-arcface', export: 'arcface', options: { s: 16, m: 0.1 } },
    data: { train, align, workers: 0 },
    batchSize: 4, steps: 2,
    optimizer: { type: 'sgd', lr: 0.05 },
    output: { tensorboard: false, report: false, saveModel: false },
    ...extra,
  }));
  return file;
}

// Frontal faces the detector finds (scores 0.89–0.97); 07325 is excluded by the recipe.
const FACES = ['07212/007220.jpg', '07212/028235.jpg', '07260/002767.jpg', '07260/005109.jpg', '07325/182960.jpg', '07325/187961.jpg'];

async function detectorSkipReason(): Promise<string | null> {
  if (!FACES.every((f) => existsSync(join(sharedData, 'celeba-crops', f)))) return `${sharedData}/celeba-crops not found; set FR_DATA_DIR`;
  await selectBackend('wasm', { log: null });
  try {
    (await loadFaceApiDetector()).dispose();
    return null;
  } catch (e) {
    if (e instanceof DetectorUnavailableError) return e.message;
    throw e;
  }
}

describe('fr-train data.align "auto" with the face detector', () => {
  test('aligns the training folder and the pairs set once under <output.dir>/aligned, then trains and evaluates on them', async (ctx) => {
    const skip = await detectorSkipReason();
    if (skip) {
      console.warn(`[fr/train tests] skipping data.align auto: ${skip}`);
      return ctx.skip(skip);
    }
    const root = join(dir, 'celeba-mini');
    for (const f of FACES) {
      mkdirSync(join(root, f.split('/')[0]!), { recursive: true });
      copyFileSync(join(sharedData, 'celeba-crops', f), join(root, f));
    }
    writeFileSync(join(root, '07260/blank.png'), encodeImage({ width: 100, height: 120, data: new Uint8Array(100 * 120 * 3).fill(128) }, 'png'));
    // 10 folds of one genuine and one impostor pair: the insightface protocol needs 10 folds.
    const fold = '07212\t007220.jpg\t028235.jpg\n07212\t007220.jpg\t07260\t002767.jpg\n';
    const pairs = join(dir, 'mini-pairs.txt');
    writeFileSync(pairs, `10\t1\n${fold.repeat(10)}`);
    const out = join(dir, 'run-auto');
    const recipe = tinyRecipe(join(dir, 'auto.json'), { imageFolder: root, exclude: ['07325'] }, 'auto', { evaluation: { atStart: false, sets: [{ pairs, images: root }] } });
    const loaded = loadRecipe(recipe, { set: [`output.dir=${out}`] });
    const lines: string[] = [];
    const result = await trainRecipe(loaded, { conditions: ['@fr/source'], progress: null, log: (l) => lines.push(l), handleSigint: false });

    expect(result.reason).toBe('completed');
    expect(result.data).toMatch(/^.*aligned\/train: 2 identities, 4 images; ALIGNED to the ArcFace template by @vladmandic\/face-api .* \(training images: 4 of 5 aligned, 1 without a usable face left out; 1 identity excluded; pair images: mini-pairs: 3 of 3 aligned\)$/);
    expect(lines).toContain(`[fr-train] data: ${result.data}`);
    expect(result.after.map((e) => e.set)).toEqual(['mini-pairs-aligned']);
    expect(result.after[0]!.report.pairCount).toBe(20);

    // The aligned copies: the training identities only, the blank image left out, the pairs file beside its images.
    const aligned = join(out, 'aligned');
    expect(existsSync(join(aligned, 'train/07325'))).toBe(false);
    expect(existsSync(join(aligned, 'train/07260/blank.png'))).toBe(false);
    expect(readFileSync(join(aligned, 'evaluation/mini-pairs/mini-pairs.txt'), 'utf8')).toBe(readFileSync(pairs, 'utf8'));
    // Each copy is the warp of its original by the cached landmarks (JPEG q95 apart), not a resize.
    const cache = readLandmarksFile(join(aligned, 'train/landmarks.json'));
    for (const f of ['07212/028235.jpg', '07260/005109.jpg']) {
      const original = decodeImage(readFileSync(join(root, f)));
      const copy = decodeImage(readFileSync(join(aligned, 'train', f)));
      expect([copy.width, copy.height]).toEqual([112, 112]);
      const warped = meanDifference(copy, alignFace(original, cache.images.get(f)!.landmarks));
      expect(warped).toBeLessThan(3);
      expect(meanDifference(copy, fitSquare(original, 112, 'stretch'))).toBeGreaterThan(3 * warped);
    }

    // A second run reuses them: nothing is detected or written again.
    const mtime = statSync(join(aligned, 'train/07212/007220.jpg')).mtimeMs;
    const again: string[] = [];
    const plan = await alignRecipeData(loaded.recipe.data, loaded.recipe.evaluation.sets, out, (l) => again.push(l));
    expect(plan.note).toBe(result.data.slice(result.data.indexOf('; ALIGNED') + 2));
    expect(statSync(join(aligned, 'train/07212/007220.jpg')).mtimeMs).toBe(mtime);
  });
});

describe('fr-train data.align without the detector package', () => {
  /** fr-train from its sources in a process where @vladmandic/face-api cannot be resolved. */
  const withoutFaceApi = (recipe: string, out: string) => spawnSync(process.execPath, [
    '--conditions=@fr/source', '--import', 'tsx', '--import', join(repo, 'packages/data/test/fixtures/without-face-api.mjs'),
    join(repo, 'packages/train/src/cli.ts'), recipe, '--set', `output.dir=${out}`,
  ], { cwd: repo, encoding: 'utf8' });

  test('"auto" says so and trains on the images as they are; "always" stops saying what to install', () => {
    const root = join(dir, 'plain');
    for (const [key, dx, dy] of [['a/1.png', 20, 10], ['a/2.png', 5, 15], ['b/1.png', 12, 3], ['b/2.png', 0, 0]] as const) {
      mkdirSync(join(root, key.split('/')[0]!), { recursive: true });
      writeFileSync(join(root, key), face(dx, dy).bytes);
    }
    const auto = withoutFaceApi(tinyRecipe(join(dir, 'plain-auto.json'), { imageFolder: root }, 'auto'), join(dir, 'run-plain-auto'));
    expect(auto.status, auto.stderr).toBe(0);
    expect(auto.stdout).toContain('[fr-train] data.align auto: no face detector (npm install @vladmandic/face-api');
    expect(auto.stdout).toMatch(/\[fr-train\] data: .*plain: 2 identities, 4 images; NOT aligned \(data.align auto: @vladmandic\/face-api is not installed\)/);
    expect(auto.stdout).toMatch(/trained 2 steps/);
    expect(existsSync(join(dir, 'run-plain-auto/aligned'))).toBe(false);

    const always = withoutFaceApi(tinyRecipe(join(dir, 'plain-always.json'), { imageFolder: root }, 'always'), join(dir, 'run-plain-always'));
    expect(always.status).toBe(1);
    expect(always.stderr).toContain('fr-train: data.align "always": face detection needs the optional package @vladmandic/face-api');
    expect(always.stderr).toContain('Install them with: npm install @vladmandic/face-api');
    expect(existsSync(join(dir, 'run-plain-always/train.jsonl'))).toBe(false);
  });
});
