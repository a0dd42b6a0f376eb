import { beforeAll, describe, expect, test } from 'vitest';
import { tf, selectBackend } from '@fr/core';
import { findClassOutliers, findSubCenterOutliers, subCenterFC } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** A unit vector in the (e0, e1) plane at `degrees` from e0, embedded in 4-d. */
const planar = (degrees: number, scale = 1): number[] => {
  const r = (degrees * Math.PI) / 180;
  return [Math.cos(r) * scale, Math.sin(r) * scale, 0, 0];
};

describe('dominant sub-centre cleaning (drop.py)', () => {
  // Class 0: sub-centres e0 (k 0), e2 (k 1), e3 (k 2). Class 1: e3 (k 0), e0 (k 1), e1 (k 2).
  const weight = [
    [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1],
    [0, 0, 0, 1], [2, 0, 0, 0], [0, 3, 0, 0],
  ];
  // Class 0: four images near e0 (dominant k 0), one at 80° from e0 (nearest e0 still), one on e2
  // (votes k 1; 90° from the dominant centre). Class 1: three images near e1 (dominant k 2), one
  // at 74° from e1 (kept), one at 76° (dropped).
  const embeddings = [
    planar(5, 3), planar(-10), planar(20, 0.5), planar(0), planar(80), [0, 0, 4, 0],
    planar(90), planar(85), planar(100), planar(90 - 74), planar(90 + 76, 2),
  ];
  const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
  const ids = embeddings.map((_, i) => `img/${labels[i]}/${i}.jpg`);

  test('finds each class\'s dominant sub-centre and the images ≥ 75° from it', async () => {
    const centers = tf.tensor2d(weight);
    const report = await findSubCenterOutliers({ centers, k: 3, embeddings, labels, ids });
    expect(Array.from(report.dominant)).toEqual([0, 2]);
    expect(Array.from(report.votes)).toEqual([5, 1, 0, 0, 1, 4]); // image 9 (16°) is nearest to e0 but kept: 74° from e1
    expect(report.dropped.map((o) => o.id)).toEqual(['img/0/4.jpg', 'img/0/5.jpg', 'img/1/10.jpg']);
    expect(report.dropped.map((o) => Math.round(o.angleDegrees))).toEqual([80, 90, 76]);
    expect(report.keptCount).toBe(8);
    expect(Array.from(report.keep)).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0]);
    expect(report.cosine[9]).toBeCloseTo(Math.cos((74 * Math.PI) / 180), 5);
    centers.dispose();
  });

  test('threshold option, a class without images, and a trained bank as input', async () => {
    const bank = subCenterFC({ numClasses: 3, embeddingSize: 4, k: 3 });
    bank.module.weight.assign(tf.tensor2d([...weight, [1, 1, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]]));
    const strict = await findSubCenterOutliers({ centers: bank, embeddings: tf.tensor2d(embeddings), labels: tf.tensor1d(labels, 'int32'), thresholdDegrees: 30 });
    expect(strict.dominant[2]).toBe(-1);
    expect(strict.dropped.map((o) => o.index)).toEqual([4, 5, 9, 10]);
    expect(strict.dropped[0]?.id).toBeUndefined();
    bank.dispose!();
  });

  test('one class at a time', async () => {
    const subCenters = tf.tensor2d(weight.slice(3));
    const result = await findClassOutliers({ subCenters, embeddings: embeddings.slice(6), ids: ids.slice(6) });
    expect(result.dominant).toBe(2);
    expect(result.dropped.map((o) => o.id)).toEqual(['img/1/10.jpg']);
    subCenters.dispose();
  });

  test('frees what it creates; clear errors on bad input', async () => {
    const centers = tf.tensor2d(weight);
    const before = tf.memory().numTensors;
    await findSubCenterOutliers({ centers, k: 3, embeddings, labels, chunkSize: 4 });
    expect(tf.memory().numTensors).toBe(before);
    await expect(findSubCenterOutliers({ centers, embeddings, labels })).rejects.toThrow(/pass `k`/);
    await expect(findSubCenterOutliers({ centers, k: 4, embeddings, labels })).rejects.toThrow(/not a multiple of k/);
    await expect(findSubCenterOutliers({ centers, k: 3, embeddings, labels: [...labels.slice(1), 2] })).rejects.toThrow(/label 2 is outside/);
    centers.dispose();
  });
});
