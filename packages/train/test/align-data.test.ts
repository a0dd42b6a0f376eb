/** A recipe's `data.align`: the ImageFolder is aligned on the fly from a landmarks cache. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ARCFACE_TEMPLATE_112, encodeImage, formatLandmarksFile, type FaceLandmarks, type Point } from '@fr/data';
import { dataSchema, openTrainingData } from '../src/index.js';

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
