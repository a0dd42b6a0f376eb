import { beforeAll, describe, expect, test } from 'vitest';
import { Rng, selectBackend, tf, type RandomSource } from '@fr/core';
import {
  amplitudeSpectrumMix, donorChainBound, dpapBatch, dpapBatchTensor, dpapGeometry, drawDpap, rankPatches,
} from '../src/index.js';
import { drawsOf, pixelDiff, randomPixels, randomWeights, weightsRanking } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** Copies cell (row, col) of image b. */
function cell(data: ArrayLike<number>, size: number, p: number, b: number, row: number, col: number): Float64Array {
  const out = new Float64Array(p * p * 3);
  for (let y = 0; y < p; y++) for (let x = 0; x < p * 3; x++) out[y * p * 3 + x] = data[((b * size + row * p + y) * size + col * p) * 3 + x] as number;
  return out;
}

function putCell(data: Float64Array, size: number, p: number, b: number, row: number, col: number, values: ArrayLike<number>): void {
  for (let y = 0; y < p; y++) for (let x = 0; x < p * 3; x++) data[((b * size + row * p + y) * size + col * p) * 3 + x] = values[y * p * 3 + x] as number;
}

describe('geometry, ranking and draws', () => {
  test('the grid comes from the input size and the patch size: 112/9 → 12, 36/9 → 4, 16/4 → 4', () => {
    expect(dpapGeometry(112)).toEqual({ size: 112, patchSize: 9, grid: 12 });
    expect(dpapGeometry(36).grid).toBe(4);
    expect(dpapGeometry(16, 4).grid).toBe(4);
    expect(() => dpapGeometry(8, 9)).toThrow(/larger than the 8-pixel input/);
  });

  test('rankPatches: K largest per row, descending; equal weights in index order (as tf.topk)', () => {
    const w = [0.1, 0.5, 0.3, 0.5, 0.2, /* row 2 */ 1, 2, 3, 4, 5];
    expect(Array.from(rankPatches(w, 2, 5, 3))).toEqual([1, 3, 2, 4, 3, 2]);
    const t = tf.topk(tf.tensor2d(w, [2, 5]), 3).indices;
    expect(Array.from(t.dataSync())).toEqual([1, 3, 2, 4, 3, 2]);
    t.dispose();
    expect(() => rankPatches(w, 2, 5, 6)).toThrow(/k 6 exceeds the 5 patches/);
  });

  test('drawDpap takes u per sample, then donor, row, col, λ per patch of perturbed samples only (official order)', () => {
    const script = [0.5, 0.1, 0.3, 0.7, 0.9, 0.25, 0.5, 0.99, 0.6, 0.2, 0.4, 0.75, 0.95, 0.15];
    let i = 0;
    const source: RandomSource = { next: () => script[i++] as number };
    const d = drawDpap(source, 3, 4, { k: 2, probability: 0.2, alpha: 0.5 });
    // sample 0: u 0.5 (no draws); sample 1: u 0.1 → 2 × (donor, row, col, λ); sample 2: u 0.4.
    expect(Array.from(d.u)).toEqual([0.5, 0.1, 0.4]);
    expect(Array.from(d.donorIndex)).toEqual([0, 0, 0, 1, 0, 0]);
    expect(Array.from(d.donorRow)).toEqual([0, 0, 2, 3, 0, 0]);
    expect(Array.from(d.donorCol)).toEqual([0, 0, 3, 2, 0, 0]);
    expect(Array.from(d.lambda)).toEqual([0, 0, 0.125, 0.1, 0, 0]);
    expect(i).toBe(11);
  });

  test('the same seed gives the same draws; about p of the samples are perturbed', () => {
    const a = drawDpap(Rng.fromSeed(3), 2000, 12, {});
    const b = drawDpap(Rng.fromSeed(3), 2000, 12, {});
    expect(a).toEqual(b);
    const fraction = Array.from(a.u).filter((u) => u <= 0.2).length / 2000;
    expect(fraction).toBeGreaterThan(0.17);
    expect(fraction).toBeLessThan(0.23);
    expect(Array.from(a.lambda).every((l) => l >= 0 && l < 1)).toBe(true);
  });
});

describe('dpapBatch (float64, train.py loop)', () => {
  const size = 36;
  const p = 9;
  const cells = 16;

  test('in place and in order: donors read the batch as modified so far', () => {
    const rng = Rng.fromSeed(11);
    const images = randomPixels(rng, 2, size);
    const weights = weightsRanking(2, cells, [[5, 2], [7, 0]]);
    // cell q → (q >> 2, q & 3) on the 4×4 grid.
    const draws = drawsOf([0.1, 0.2], [
      [[1, 1, 3, 0.6], [0, 1, 1, 0.3]], // (0,5) ← later sample's untouched cell 7; (0,2) ← (0,5) already mixed
      [[0, 0, 2, 0.8], [1, 1, 3, 0.45]], // (1,7) ← (0,2) mixed; (1,0) ← (1,7) mixed just before
    ]);
    const result = dpapBatch({ data: images, shape: [2, size, size, 3] }, weights, draws, { k: 2, probability: 0.2 });
    expect(Array.from(result.topk)).toEqual([5, 2, 7, 0]);
    expect(result.perturbedSamples).toEqual([true, true]);
    expect(result.perturbed).toEqual([
      { sample: 0, patch: 5, row: 1, col: 1 }, { sample: 0, patch: 2, row: 0, col: 2 },
      { sample: 1, patch: 7, row: 1, col: 3 }, { sample: 1, patch: 0, row: 0, col: 0 },
    ]);

    const expected = Float64Array.from(images);
    const steps: [number, number, number, number, number, number, number][] = [
      [0, 1, 1, 1, 1, 3, 0.6], [0, 0, 2, 0, 1, 1, 0.3], [1, 1, 3, 0, 0, 2, 0.8], [1, 0, 0, 1, 1, 3, 0.45],
    ];
    for (const [b, r, c, db, dr, dc, lam] of steps) {
      const mixed = amplitudeSpectrumMix(cell(expected, size, p, b, r, c), cell(expected, size, p, db, dr, dc), lam).output;
      putCell(expected, size, p, b, r, c, mixed);
    }
    expect(pixelDiff(result.images, expected).count).toBe(0);
    // The chain mattered: reading the original donors gives a different batch.
    const stale = Float64Array.from(images);
    for (const [b, r, c, db, dr, dc, lam] of steps) putCell(stale, size, p, b, r, c, amplitudeSpectrumMix(cell(images, size, p, b, r, c), cell(images, size, p, db, dr, dc), lam).output);
    expect(pixelDiff(result.images, stale).count).toBeGreaterThan(0);
  });

  test('only the perturbed cells change; u = p perturbs, u > p does not; the band beyond the grid is untouched', () => {
    const rng = Rng.fromSeed(12);
    const s = 40; // grid 4 covers 0..35; rows/cols 36..39 form the band
    const images = randomPixels(rng, 3, s);
    const weights = randomWeights(rng, 3, cells);
    const d = drawDpap(rng, 3, 4, { k: 3, probability: 1 });
    const draws = { ...d, u: [0.25, Math.fround(0.25) + 1e-8, 0] };
    const result = dpapBatch({ data: images, shape: [3, s, s, 3] }, weights, draws, { k: 3, probability: 0.25 });
    expect(result.perturbedSamples).toEqual([true, false, true]);
    const changedCells = new Set(result.perturbed.map((q) => `${q.sample}:${q.row}:${q.col}`));
    let outsideChanged = 0;
    let insideChanged = 0;
    for (let b = 0; b < 3; b++) {
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          const inCell = y < 36 && x < 36 && changedCells.has(`${b}:${Math.floor(y / 9)}:${Math.floor(x / 9)}`);
          for (let c = 0; c < 3; c++) {
            const i = ((b * s + y) * s + x) * 3 + c;
            if (result.images[i] !== images[i]) {
              if (inCell) insideChanged++;
              else outsideChanged++;
            }
          }
        }
      }
    }
    expect(outsideChanged).toBe(0);
    expect(insideChanged).toBeGreaterThan(0.9 * changedCells.size * 243);
    expect(Array.from(result.images).every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
  });

  test('clear errors: patch weights that do not fit the grid, out-of-range draws', () => {
    const images = { data: new Float64Array(2 * 36 * 36 * 3), shape: [2, 36, 36, 3] as const };
    const draws = drawsOf([0, 0], [[[0, 0, 0, 0.5]], [[1, 4, 0, 0.5]]]);
    expect(() => dpapBatch(images, new Float32Array(2 * 81), draws, { k: 1 })).toThrow(/81 values per image but a 36-pixel input in 9-pixel patches has 4×4 = 16 cells/);
    expect(() => dpapBatch(images, new Float32Array(2 * 16), draws, { k: 1 })).toThrow(/donor cell \[4, 0\]/);
  });
});

describe('dpapBatchTensor (tensor ops, float32) agrees with dpapBatch', () => {
  test('donorChainBound bounds the donor chains from the draws alone', () => {
    const d = drawsOf([0, 0, 0.9], [
      [[0, 0, 0, 0.5], [0, 0, 0, 0.5], [0, 0, 0, 0.5]], // same-sample chain: 1, 2, 3
      [[0, 0, 0, 0.5], [2, 0, 0, 0.5], [1, 0, 0, 0.5]], // after sample 0 (3): 4; sample 2 not perturbed: 1; own: 5
      [[0, 0, 0, 0.5], [0, 0, 0, 0.5], [0, 0, 0, 0.5]],
    ]);
    expect(donorChainBound([true, true, false], d, 3)).toBe(5);
    expect(donorChainBound([false, false, false], d, 3)).toBe(1);
  });

  test('random batches at 36 and 112 pixels (chains included): float32 pixels within ±1 on ≤ 2%, the rest exact', () => {
    const rng = Rng.fromSeed(13);
    const cases: { size: number; batch: number; k: number; probability: number }[] = [
      { size: 36, batch: 6, k: 3, probability: 0.5 },
      { size: 36, batch: 4, k: 16, probability: 1 },
      { size: 112, batch: 4, k: 7, probability: 1 },
    ];
    for (const { size, batch, k, probability } of cases) {
      const g = dpapGeometry(size);
      const images = randomPixels(rng, batch, size);
      const weights = randomWeights(rng, batch, g.grid * g.grid);
      const draws = drawDpap(rng, batch, g.grid, { k, probability });
      const host = dpapBatch({ data: images, shape: [batch, size, size, 3] }, weights, draws, { k, probability });
      const device = tf.tidy(() => {
        const r = dpapBatchTensor(tf.tensor4d(Float32Array.from(images), [batch, size, size, 3]), tf.tensor2d(weights, [batch, g.grid * g.grid]), draws, { k, probability });
        expect(r.perturbedSamples).toEqual(host.perturbedSamples);
        return { images: r.images.dataSync().slice(), changed: r.changed.dataSync().slice() };
      });
      const changedPixels = host.perturbed.length * 81 * 3;
      const diff = pixelDiff(host.images, device.images);
      expect(diff.max).toBeLessThanOrEqual(1);
      expect(diff.count).toBeLessThanOrEqual(0.02 * changedPixels);
      // The mask marks exactly the perturbed cells.
      const marked = new Set(host.perturbed.map((q) => `${q.sample}:${q.row}:${q.col}`));
      let wrong = 0;
      for (let b = 0; b < batch; b++) {
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            const inside = y < g.grid * 9 && x < g.grid * 9 && marked.has(`${b}:${Math.floor(y / 9)}:${Math.floor(x / 9)}`);
            if (device.changed[(b * size + y) * size + x] !== (inside ? 1 : 0)) wrong++;
          }
        }
      }
      expect(wrong).toBe(0);
    }
  });

  test('no sample perturbed: a copy of the input; no tensors leak', () => {
    const images = tf.tensor4d(Float32Array.from({ length: 2 * 36 * 36 * 3 }, (_, i) => i % 256), [2, 36, 36, 3]);
    const weights = tf.tensor2d(randomWeights(Rng.fromSeed(1), 2, 16), [2, 16]);
    const draws = drawDpap(Rng.fromSeed(2), 2, 4, { k: 2, probability: 1 });
    const before = tf.memory().numTensors;
    for (const probability of [0, 1]) {
      const r = dpapBatchTensor(images, weights, draws, { k: 2, probability });
      if (probability === 0) expect(pixelDiff(r.images.dataSync(), images.dataSync()).count).toBe(0);
      tf.dispose([r.images, r.changed]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, weights]);
  });
});
