import { describe, expect, test } from 'vitest';
import { Rng, syntheticIdentities, type HostBatch } from '@fr/core';
import { mPerClassBatches, mPerClassDataset } from '../src/index.js';

/** Labels with uneven identity sizes (1 to 13 images), shuffled. */
function unevenLabels(numClasses: number, seed = 1): Int32Array {
  const rng = Rng.fromSeed(seed).fork('labels');
  const labels: number[] = [];
  for (let c = 0; c < numClasses; c++) for (let i = 0; i < 1 + rng.int(13); i++) labels.push(c);
  return Int32Array.from(rng.shuffle(labels));
}

function countsOf(batch: Int32Array, labels: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const i of batch) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
  return counts;
}

describe('mPerClassBatches', () => {
  test.each([[2, 8], [4, 16], [3, 12], [4, 32]])('every batch has exactly m = %i images of each of batchSize/m identities (batch %i)', (m, batchSize) => {
    const labels = unevenLabels(40);
    for (const smallClasses of ['pad', 'skip'] as const) {
      for (let epoch = 0; epoch < 3; epoch++) {
        const batches = mPerClassBatches(labels, { m, batchSize, seed: 7, epoch, smallClasses });
        expect(batches.length).toBeGreaterThan(0);
        const seen = new Set<number>();
        for (const batch of batches) {
          expect(batch.length).toBe(batchSize);
          const counts = countsOf(batch, labels);
          expect(counts.size).toBe(batchSize / m);
          for (const n of counts.values()) expect(n).toBe(m);
          // The m images of an identity are adjacent.
          for (let g = 0; g < batchSize; g += m) expect(new Set(Array.from(batch.subarray(g, g + m), (i) => labels[i])).size).toBe(1);
          for (const i of batch) {
            const small = labels.filter((y) => y === labels[i]).length < m;
            if (smallClasses === 'skip') expect(small).toBe(false);
            // Within an epoch an image is used once, except padding of identities with < m images.
            if (!small) {
              expect(seen.has(i)).toBe(false);
              seen.add(i);
            }
          }
        }
      }
    }
  });

  test('uses as many full batches as the identities\' groups of m allow', () => {
    const labels = unevenLabels(40);
    const groups = new Map<number, number>();
    for (const y of labels) groups.set(y, (groups.get(y) ?? 0) + 1);
    const total = [...groups.values()].reduce((a, n) => a + (n >= 4 ? Math.floor(n / 4) : 1), 0);
    expect(mPerClassBatches(labels, { m: 4, batchSize: 16, seed: 1, epoch: 0 }).length).toBe(Math.floor(total / 4));
    // One identity with far more images than there are batches: its extra groups are left out.
    const skewed = Int32Array.from([...Array(100).fill(0), 1, 1, 2, 2, 3, 3]);
    const batches = mPerClassBatches(skewed, { m: 2, batchSize: 4, seed: 1, epoch: 0 });
    expect(batches.length).toBe(3); // 3 batches, identity 0 in each, with 1, 2 and 3 in turn
    for (const b of batches) expect(countsOf(b, skewed).get(0)).toBe(2);
  });

  test('deterministic in (seed, epoch); different across epochs and seeds', () => {
    const labels = unevenLabels(30);
    const run = (seed: number, epoch: number) => mPerClassBatches(labels, { m: 4, batchSize: 16, seed, epoch }).map((b) => Array.from(b));
    expect(run(5, 2)).toEqual(run(5, 2));
    expect(run(5, 3)).not.toEqual(run(5, 2));
    expect(run(6, 2)).not.toEqual(run(5, 2));
    // Identities are mixed: the first batches of two epochs hold different identity sets.
    const ids = (b: number[]) => [...new Set(b.map((i) => labels[i]))].sort().join();
    expect(ids(run(5, 0)[0]!)).not.toBe(ids(run(5, 1)[0]!));
  });

  test('invalid requests fail clearly', () => {
    const labels = unevenLabels(10);
    expect(() => mPerClassBatches(labels, { m: 4, batchSize: 10, seed: 1, epoch: 0 })).toThrow(/batch size \(10\) must be a positive multiple of m \(4\)/);
    expect(() => mPerClassBatches(labels, { m: 4, batchSize: 4, seed: 1, epoch: 0 })).toThrow(/holds one identity/);
    expect(() => mPerClassBatches(Int32Array.from([0, -1]), { m: 1, batchSize: 2, seed: 1, epoch: 0 })).toThrow(/label -1 of example 1/);
    expect(mPerClassBatches(Int32Array.from([0, 0, 0]), { m: 2, batchSize: 4, seed: 1, epoch: 0 })).toEqual([]);
  });
});

describe('mPerClassDataset', () => {
  const source = syntheticIdentities({ numClasses: 8, imagesPerClass: 6, inputSize: 8, seed: 3 });
  const dataset = mPerClassDataset({ ...source, getImage: source.image }, { m: 3 });
  const collect = async (fromBatch: number, epoch = 0): Promise<HostBatch[]> => {
    const out: HostBatch[] = [];
    for await (const b of dataset.batches({ epoch, seed: 9, batchSize: 6, fromBatch, dropLast: true })) out.push(b);
    return out;
  };

  test('promises batch:m-per-class; batches hold the images and labels of their indices', async () => {
    expect(dataset.provides).toEqual(['batch:m-per-class']);
    expect(dataset.numClasses).toBe(8);
    expect(dataset.size).toBe(48); // 8 identities × 2 groups of 3
    const batches = await collect(0);
    expect(batches.length).toBe(8); // 16 groups, 2 per batch
    const indices = dataset.batchIndices({ epoch: 0, seed: 9, batchSize: 6, fromBatch: 0, dropLast: true });
    batches.forEach((b, k) => {
      expect(b.shape).toEqual([6, 8, 8, 3]);
      expect(Array.from(b.labels)).toEqual(Array.from(indices[k]!, (i) => source.label(i)));
      expect(b.images.subarray(0, 192)).toEqual(source.image(indices[k]![0]!));
      for (const n of countsOf(indices[k]!, dataset.labels).values()) expect(n).toBe(3);
    });
  });

  test('resume: fromBatch skips exactly the first batches of the same epoch', async () => {
    const all = await collect(0, 1);
    const rest = await collect(5, 1);
    expect(rest.length).toBe(all.length - 5);
    rest.forEach((b, k) => {
      expect(Array.from(b.labels)).toEqual(Array.from(all[k + 5]!.labels));
      expect(b.images).toEqual(all[k + 5]!.images);
    });
  });

  test('sources are validated; an impossible batch is a clear error', async () => {
    expect(() => mPerClassDataset({ ...source, getImage: source.image, label: () => 8 })).toThrow(/label 8 of image 0 is outside \[0, 8\)/);
    const tiny = mPerClassDataset({ size: 4, numClasses: 2, inputSize: 2, getImage: () => new Float32Array(12), label: (i) => i % 2 }, { m: 2, smallClasses: 'skip' });
    const it = tiny.batches({ epoch: 0, seed: 1, batchSize: 8, fromBatch: 0, dropLast: true })[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(/not one batch of 4 identities × 2 images can be formed/);
    const wrongSize = mPerClassDataset({ size: 4, numClasses: 2, inputSize: 2, getImage: () => new Float32Array(5), label: (i) => i % 2 }, { m: 2 });
    const it2 = wrongSize.batches({ epoch: 0, seed: 1, batchSize: 4, fromBatch: 0, dropLast: true })[Symbol.asyncIterator]();
    await expect(it2.next()).rejects.toThrow(/has 5 values, expected 2×2×3 = 12/);
  });
});
