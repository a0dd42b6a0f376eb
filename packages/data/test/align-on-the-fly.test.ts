/**
 * `ImageFolderDataset`'s `align` option: images aligned from a landmarks cache while decoding
 * give the same samples as loading the aligned copies `fr-data align` writes.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { HostBatch } from '@fr/core';
import { DataError, ImageFolderDataset, encodeImage, formatLandmarksFile, runCli, type FaceLandmarks, type ImageFolderOptions } from '@fr/data';
import { dotFace, placedLandmarks } from './face-fixtures.js';
import { cleanupTemps, recorder, tempDir, writeFile } from './helpers.js';

afterAll(cleanupTemps);

const silent = { stdout: { write: () => true }, stderr: { write: () => true } };

/** Dot faces in PNG (lossless, so both paths must agree exactly), one listed without a face. */
async function alignedFixture(): Promise<{ root: string; out: string; cache: string }> {
  const root = join(tempDir(), 'in');
  const images = new Map<string, FaceLandmarks | null>();
  [
    ['ann/0.png', placedLandmarks(1.3, 0.15, 12, 5)],
    ['ann/1.png', placedLandmarks(0.9, -0.2, 30, 25)],
    ['bob/0.png', placedLandmarks(1.1, 0.05, 10, 12)],
    ['bob/1.png', placedLandmarks(1.2, 0.3, 20, 0)],
  ].forEach(([key, pts], i) => {
    writeFile(join(root, key as string), encodeImage(dotFace(150 + 10 * i, 140, pts as ReturnType<typeof placedLandmarks>), 'png'));
    images.set(key as string, { landmarks: pts as ReturnType<typeof placedLandmarks> });
  });
  writeFile(join(root, 'bob/blank.png'), encodeImage(dotFace(90, 100, []), 'png'));
  images.set('bob/blank.png', null);
  const given = writeFile(join(tempDir(), 'given.json'), formatLandmarksFile({ images }));
  const out = join(tempDir(), 'aligned');
  expect(await runCli(['align', root, out, '--landmarks', given], silent)).toBe(0);
  return { root, out, cache: join(out, 'landmarks.json') };
}

async function allBatches(root: string, options: ImageFolderOptions): Promise<HostBatch[]> {
  const ds = await ImageFolderDataset.open(root, { sampler: 'sequential', workers: 0, log: null, ...options });
  const out: HostBatch[] = [];
  for await (const b of ds.batches({ epoch: 0, seed: 1, batchSize: 2, fromBatch: 0, dropLast: false })) out.push(b);
  expect(ds.report.decoding).toBe(options.workers ? 'workers' : 'in-thread'); // the landmarks really crossed to a worker
  await ds.close();
  return out;
}

describe('ImageFolderDataset align option', () => {
  test('on-the-fly alignment equals the aligned copies, in-thread and in a worker, at 112 and 48 pixels', async () => {
    const { root, out, cache } = await alignedFixture();
    for (const inputSize of [112, 48]) {
      const copies = await allBatches(out, { inputSize });
      for (const workers of [0, 1]) {
        const fly = await allBatches(root, { inputSize, workers, align: { landmarks: cache } });
        expect(fly.map((b) => b.ids?.map((id) => id.slice(root.length)))).toEqual(copies.map((b) => b.ids?.map((id) => id.slice(out.length))));
        expect(fly.map((b) => Array.from(b.labels))).toEqual(copies.map((b) => Array.from(b.labels)));
        fly.forEach((b, i) => expect(Buffer.from(b.images.buffer).equals(Buffer.from(copies[i]!.images.buffer))).toBe(true));
      }
    }
    // Unaligned, the samples differ: the option is what makes them equal.
    const plain = await allBatches(root, { inputSize: 112 });
    const copies = await allBatches(out, { inputSize: 112 });
    expect(Buffer.from(plain[0]!.images.buffer).equals(Buffer.from(copies[0]!.images.buffer))).toBe(false);
  });

  test('an image without a face in the cache is bad data of kind no-face: skipped and reported, or an error under stop', async () => {
    const { root, cache } = await alignedFixture();
    const rec = recorder();
    const ds = await ImageFolderDataset.open(root, { align: { landmarks: cache }, log: rec.log, workers: 0 });
    expect(ds.size).toBe(4);
    expect(ds.report.issueCounts).toEqual({ 'no-face': 1 });
    expect(rec.lines[0]).toBe(`[fr/data] skipped: no face for ${join(root, 'bob/blank.png')} in ${cache} (none was detected)`);
    await ds.close();
    const err = await ImageFolderDataset.open(root, { align: { landmarks: cache }, badData: 'stop', workers: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).kind).toBe('no-face');
    expect((err as DataError).file).toBe(join(root, 'bob/blank.png'));
    await expect(ImageFolderDataset.open(root, { align: { landmarks: cache, size: 3 } })).rejects.toThrow('align.size must be an integer ≥ 8, got 3');
    await expect(ImageFolderDataset.open(root, { align: { landmarks: join(root, 'missing.json') } })).rejects.toThrow(`landmarks file not found: ${join(root, 'missing.json')}`);
  });
});
