import { afterAll, describe, expect, test } from 'vitest';
import type { HostBatch } from '@fr/core';
import { closedSetNoise, ImageFolderDataset } from '@fr/data';
import { cleanupTemps, imageFolder, tempDir } from './helpers.js';

afterAll(cleanupTemps);

/** 40 identities × 25 examples, identity 7 empty (a class index with no example). */
function balancedLabels(): Int32Array {
  const out: number[] = [];
  for (let c = 0; c < 40; c++) if (c !== 7) for (let k = 0; k < 25; k++) out.push(c);
  return Int32Array.from(out);
}

describe('closedSetNoise', () => {
  test('moves exactly round(rate·n) labels, each to another present identity, and keeps the clean ones', () => {
    const labels = balancedLabels();
    for (const rate of [0, 0.2, 0.4]) {
      const noise = closedSetNoise(labels, { rate, seed: 3 });
      expect(noise.flipped.length).toBe(Math.round(rate * labels.length));
      expect([...noise.clean]).toEqual([...labels]);
      const moved = new Set(noise.flipped);
      labels.forEach((clean, i) => {
        if (moved.has(i)) {
          expect(noise.labels[i]).not.toBe(clean);
          expect(noise.labels[i]).not.toBe(7);
          expect(labels).toContain(noise.labels[i]);
        } else {
          expect(noise.labels[i]).toBe(clean);
        }
      });
      expect([...noise.flipped]).toEqual([...noise.flipped].sort((a, b) => a - b));
    }
  });

  test('seeded: the same seed repeats, another seed draws another set', () => {
    const labels = balancedLabels();
    const a = closedSetNoise(labels, { rate: 0.2, seed: 1 });
    const b = closedSetNoise(labels, { rate: 0.2, seed: 1 });
    const c = closedSetNoise(labels, { rate: 0.2, seed: 2 });
    expect([...a.labels]).toEqual([...b.labels]);
    expect([...a.flipped]).not.toEqual([...c.flipped]);
  });

  test('new labels spread over the other identities (not one favoured class)', () => {
    const labels = balancedLabels();
    const noise = closedSetNoise(labels, { rate: 0.4, seed: 5 });
    const counts = new Map<number, number>();
    for (const i of noise.flipped) counts.set(noise.labels[i] as number, (counts.get(noise.labels[i] as number) ?? 0) + 1);
    // 390 moves over 38 other identities (~10 each): every identity receives some, none a large share.
    expect(counts.size).toBe(39);
    expect(Math.max(...counts.values())).toBeLessThan(30);
  });

  test('bad options are named', () => {
    expect(() => closedSetNoise(balancedLabels(), { rate: 1, seed: 1 })).toThrow(/labelNoise.rate must be in \[0, 1\), got 1/);
    expect(() => closedSetNoise(balancedLabels(), { rate: 0.1, seed: 0.5 })).toThrow(/labelNoise.seed must be an integer/);
    expect(() => closedSetNoise(Int32Array.from([2, 2, 2]), { rate: 0.5, seed: 1 })).toThrow(/at least 2 identities with examples, the data has 1/);
  });
});

describe('ImageDataset labelNoise option', () => {
  const root = imageFolder(tempDir(), { a: 6, b: 6, c: 6, d: 6 }, 8);

  test('batches carry the moved labels; the clean ones stay in labelNoise, by example index and id', async () => {
    const ds = await ImageFolderDataset.open(root, { inputSize: 8, workers: 0, log: null, labelNoise: { rate: 0.25, seed: 9 } });
    const noise = ds.labelNoise;
    if (!noise) throw new Error('labelNoise missing');
    expect(noise.flipped.length).toBe(6);
    expect([...ds.labels]).toEqual([...noise.labels]);
    const indexOf = new Map(ds.refs.map((r, i) => [r.kind === 'file' ? r.path : '', i]));
    const batches: HostBatch[] = [];
    for await (const b of ds.batches({ epoch: 0, seed: 1, batchSize: 8, fromBatch: 0, dropLast: false })) batches.push(b);
    let moved = 0;
    for (const b of batches) {
      b.labels.forEach((label, k) => {
        const i = indexOf.get(b.ids?.[k] as string) as number;
        expect(label).toBe(noise.labels[i]);
        // The clean label is the identity folder's class.
        expect(ds.classNames[noise.clean[i] as number]).toBe((b.ids?.[k] as string).slice(root.length + 1).split('/')[0]);
        if (label !== noise.clean[i]) moved++;
      });
    }
    expect(moved).toBe(6);
    expect(ds.report.emptyClasses).toEqual([]);
    await ds.close();
  });

  test('without the option the labels are the folders\' classes and labelNoise is null', async () => {
    const ds = await ImageFolderDataset.open(root, { inputSize: 8, workers: 0, log: null });
    expect(ds.labelNoise).toBeNull();
    expect([...ds.labels]).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
    await ds.close();
  });
});
