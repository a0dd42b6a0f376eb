import { describe, expect, test } from 'vitest';
import { fitSquare, flipBatchHorizontal, flipImageHorizontal, policyCrop, resizeBilinear, toFloatSample, writeSample, type RgbImage } from '@fr/data';
import { pattern } from './helpers.js';

const greyImage = (width: number, height: number, values: number[]): RgbImage => ({ width, height, data: Uint8Array.from(values.flatMap((v) => [v, v, v])) });
const channel = (img: RgbImage, c = 0): number[] => Array.from(img.data).filter((_, i) => i % 3 === c);

describe('bilinear resize (half-pixel centres)', () => {
  test('upscaling 2×2 → 4×4 matches the half-pixel formula', () => {
    const src = greyImage(2, 2, [0, 100, 200, 255]);
    const out = resizeBilinear(src, 4, 4);
    // Reference: s = (i + 0.5)/2 − 0.5 clamped to [0, 1] on both axes.
    const coord = (i: number): number => Math.min(1, Math.max(0, (i + 0.5) / 2 - 0.5));
    const at = (x: number, y: number): number => [0, 100, 200, 255][y * 2 + x] as number;
    const expected: number[] = [];
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        const fx = coord(x);
        const fy = coord(y);
        const top = at(0, 0) * (1 - fx) + at(1, 0) * fx;
        const bottom = at(0, 1) * (1 - fx) + at(1, 1) * fx;
        expected.push(Math.round(top * (1 - fy) + bottom * fy));
      }
    }
    expect(channel(out)).toEqual(expected);
    expect(channel(out)[0]).toBe(0);
    expect(channel(out)[15]).toBe(255);
  });

  test('halving is the 2×2 box mean', () => {
    const values = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150];
    const out = resizeBilinear(greyImage(4, 4, values), 2, 2);
    expect(channel(out)).toEqual([25, 45, 105, 125]);
  });

  test('center-crop takes the middle square; stretch keeps everything', () => {
    expect(policyCrop(92, 112, 'center-crop')).toEqual({ x: 0, y: 10, width: 92, height: 92 });
    expect(policyCrop(92, 112, 'stretch')).toEqual({ x: 0, y: 0, width: 92, height: 112 });
    const wide = greyImage(4, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(channel(fitSquare(wide, 2, 'center-crop'))).toEqual([2, 3, 6, 7]);
    const same = greyImage(2, 2, [1, 2, 3, 4]);
    expect(fitSquare(same, 2)).toBe(same);
  });
});

describe('normalisation and flips', () => {
  test('minus1to1 and mxnet map 0 and 255 as documented', () => {
    const img = greyImage(1, 2, [0, 255]);
    expect(Array.from(toFloatSample(img, { inputSize: 1, resize: 'center-crop' }))).toEqual([-1, -1, -1]);
    const two: RgbImage = { width: 1, height: 1, data: Uint8Array.from([0, 255, 51]) };
    expect(Array.from(toFloatSample(two, { inputSize: 1 }))).toEqual([-1, 1, Math.fround(51 / 127.5 - 1)]);
    const mx = toFloatSample(two, { inputSize: 1, normalization: 'mxnet' });
    expect(Array.from(mx)).toEqual([-127.5 / 128, 127.5 / 128, Math.fround((51 - 127.5) / 128)]);
  });

  test('bgr swaps the channels', () => {
    const px: RgbImage = { width: 1, height: 1, data: Uint8Array.from([255, 0, 0]) };
    expect(Array.from(toFloatSample(px, { inputSize: 1, colorOrder: 'bgr' }))).toEqual([-1, -1, 1]);
  });

  test('the fused flip equals flipping the unflipped sample, with and without resizing', () => {
    const img: RgbImage = { width: 10, height: 7, data: pattern(10, 7, 2) };
    for (const size of [7, 5]) {
      const plain = toFloatSample(img, { inputSize: size });
      const flipped = toFloatSample(img, { inputSize: size, flip: true });
      expect(Array.from(flipped)).toEqual(Array.from(flipBatchHorizontal(plain, [1, size, size, 3])));
    }
    const sq: RgbImage = { width: 6, height: 6, data: pattern(6, 6, 4) };
    const viaImage = toFloatSample(flipImageHorizontal(sq), { inputSize: 6 });
    expect(Array.from(toFloatSample(sq, { inputSize: 6, flip: true }))).toEqual(Array.from(viaImage));
  });

  test('writeSample writes at the offset and nowhere else', () => {
    const img = greyImage(2, 2, [255, 255, 255, 255]);
    const out = new Float32Array(3 * 2 * 2 * 3).fill(7);
    writeSample(img, out, 12, { inputSize: 2 });
    expect(Array.from(out.subarray(0, 12)).every((v) => v === 7)).toBe(true);
    expect(Array.from(out.subarray(12, 24)).every((v) => v === 1)).toBe(true);
    expect(Array.from(out.subarray(24)).every((v) => v === 7)).toBe(true);
  });

  test('flipImageHorizontal mirrors columns and flipBatchHorizontal checks its shape', () => {
    const img: RgbImage = { width: 3, height: 1, data: Uint8Array.from([1, 1, 1, 2, 2, 2, 3, 3, 3]) };
    expect(Array.from(flipImageHorizontal(img).data)).toEqual([3, 3, 3, 2, 2, 2, 1, 1, 1]);
    expect(() => flipBatchHorizontal(new Float32Array(5), [1, 1, 2, 3])).toThrow(/do not match shape/);
  });
});
