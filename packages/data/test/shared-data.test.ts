/**
 * Loading the real datasets under ../shared/data (or $FR_DATA_DIR). Skipped, with a message,
 * where that folder is absent.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ImageFolderDataset, VerificationSet, encodeVerificationBin, parseVerificationBin, readIdentityList, readPairsFile, splitIdentities } from '@fr/data';
import { cleanupTemps, sharedData } from './helpers.js';

afterAll(cleanupTemps);

const celeba = sharedData('celeba-crops');
const orl = sharedData('orl-faces');
const yale = sharedData('yaleb-cropped');

describe.runIf(celeba)('celeba-crops', () => {
  const root = celeba ?? ''; // the describe body runs even when skipped
  const splitFile = join(root, '..', 'celeba-crops-split.txt');
  const pairsFile = join(root, '..', 'celeba-crops-pairs.txt');

  test('train split: the 40 held-out identities excluded, every image readable', async () => {
    const heldOut = readIdentityList(splitFile);
    expect(heldOut).toHaveLength(40);
    const ds = await ImageFolderDataset.open(root, { exclude: heldOut, workers: 1, log: null, randomFlip: true });
    expect(ds.numClasses).toBe(230);
    expect(ds.classNames.some((c) => heldOut.includes(c))).toBe(false);
    expect(ds.report.issues).toEqual([]);
    expect(ds.report.conversions).toEqual({});
    const all = await ImageFolderDataset.open(root, { workers: 0, log: null, validate: 'none' });
    expect(all.size).toBe(5217);
    expect(all.numClasses).toBe(270);
    const { train } = splitIdentities(all.classNames, heldOut);
    expect(train).toEqual(ds.classNames);
    let n = 0;
    for await (const b of ds.batches({ epoch: 0, seed: 1, batchSize: 64, fromBatch: 0, dropLast: true })) {
      expect(b.shape).toEqual([64, 112, 112, 3]);
      expect(Math.min(...b.images.subarray(0, 5000))).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...b.images.subarray(0, 5000))).toBeLessThanOrEqual(1);
      if (++n === 3) break;
    }
    expect(ds.report.decoding).toBe('workers');
    await ds.close();
  });

  test('pairs file: 10 folds × 300, every file found, only held-out identities', () => {
    const pairs = readPairsFile(pairsFile);
    expect([pairs.folds, pairs.pairsPerFold, pairs.pairs.length]).toEqual([10, 150, 3000]);
    const heldOut = new Set(readIdentityList(splitFile));
    expect(pairs.pairs.every((p) => heldOut.has(p.name1) && heldOut.has(p.name2))).toBe(true);
    const set = VerificationSet.fromPairs(pairsFile, root);
    expect(set.size).toBe(3000);
    expect(set.issame.filter(Boolean)).toHaveLength(1500);
    expect(set.refs[0]).toEqual({ kind: 'file', path: join(root, pairs.pairs[0]?.name1 as string, pairs.pairs[0]?.image1 as string) });
  });
});

describe.runIf(orl)('orl-faces', () => {
  const root = orl ?? '';

  test('40 identities × 10 grey PNGs, expanded to RGB and stretched to 112', async () => {
    const ds = await ImageFolderDataset.open(root, { workers: 0, log: null });
    expect([ds.numClasses, ds.size]).toEqual([40, 400]);
    expect(ds.report.conversions).toEqual({ grey: 400 });
    const first = (await ds.batches({ epoch: 0, seed: 0, batchSize: 8, fromBatch: 0, dropLast: true })[Symbol.asyncIterator]().next()).value;
    expect(first?.shape).toEqual([8, 112, 112, 3]);
    const px = first?.images as Float32Array;
    expect(px[0]).toBe(px[1]);
    expect(px[1]).toBe(px[2]);
  });

  test('pairs → .bin: 3000 pairs, round trip', () => {
    const set = VerificationSet.fromPairs(join(root, 'pairs.txt'), root);
    expect(set.size).toBe(3000);
    const bin = set.toBin({ size: 112 });
    const back = parseVerificationBin(encodeVerificationBin(bin));
    expect(back.issame).toEqual([...set.issame]);
    expect(back.images).toHaveLength(6000);
    expect(back.images[17]).toEqual(bin.images[17]);
  });
});

describe.runIf(yale)('yaleb-cropped', () => {
  test('38 identities of grey PNGs', async () => {
    const ds = await ImageFolderDataset.open(yale ?? '', { workers: 0, log: null });
    expect(ds.numClasses).toBe(38);
    expect(ds.size).toBeGreaterThan(2000);
    expect(ds.report.conversions.grey).toBe(ds.size);
  });
});
