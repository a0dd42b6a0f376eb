import { describe, expect, test } from 'vitest';
import { IBUG68, fivePointsFrom68, type Point } from '@fr/data';
import { Rng } from '@fr/core';

// The iBUG 68-point left/right correspondence (0-based), written out from the 300-W markup:
// mirroring a face maps point i onto point MIRROR[i]. The midline points (nose bridge 27–30,
// 33, chin 8, lip centres 51, 57, 62, 66) map onto themselves.
const MIRROR = [
  16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, // jaw
  26, 25, 24, 23, 22, 21, 20, 19, 18, 17, // eyebrows
  27, 28, 29, 30, // nose bridge
  35, 34, 33, 32, 31, // nostrils
  45, 44, 43, 42, 47, 46, // image-left eye ↔ image-right eye
  39, 38, 37, 36, 41, 40,
  54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55, // outer lips
  64, 63, 62, 61, 60, 67, 66, 65, // inner lips
];

function randomFace(seed: number): Point[] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: 68 }, () => [rng.uniform() * 200, rng.uniform() * 200] as const);
}

describe('fivePointsFrom68', () => {
  test('eye centers are the means of points 36–41 and 42–47; nose tip 30; mouth corners 48 and 54', () => {
    const pts: Point[] = Array.from({ length: 68 }, (_, i) => [i, 1000 - 2 * i] as const);
    const five = fivePointsFrom68(pts);
    expect(five).toEqual([
      [38.5, 1000 - 77], // (36 + … + 41) / 6
      [44.5, 1000 - 89],
      [30, 940],
      [48, 904],
      [54, 892],
    ]);
    expect(IBUG68.leftEye).toEqual([36, 37, 38, 39, 40, 41]);
  });

  test('a mirrored face gives the mirrored five points with left and right swapped (the indices are a symmetric choice)', () => {
    expect([...MIRROR].sort((a, b) => a - b)).toEqual(Array.from({ length: 68 }, (_, i) => i)); // a permutation
    for (const seed of [1, 2, 3]) {
      const pts = randomFace(seed);
      const width = 200;
      const mirrored = MIRROR.map((j) => [width - (pts[j] as Point)[0], (pts[j] as Point)[1]] as const);
      const a = fivePointsFrom68(pts);
      const b = fivePointsFrom68(mirrored);
      const flip = (p: Point): Point => [width - p[0], p[1]];
      const swapped = [flip(a[1]!), flip(a[0]!), flip(a[2]!), flip(a[4]!), flip(a[3]!)];
      b.forEach((p, i) => {
        expect(p[0]).toBeCloseTo(swapped[i]![0], 9);
        expect(p[1]).toBeCloseTo(swapped[i]![1], 9);
      });
    }
  });

  test('rejects anything but 68 finite points, naming the point', () => {
    expect(() => fivePointsFrom68(randomFace(1).slice(0, 67))).toThrow('needs the 68 iBUG landmarks, got 67 points');
    const bad = randomFace(1);
    bad[40] = [Number.NaN, 3];
    expect(() => fivePointsFrom68(bad)).toThrow('landmark 40 is not a finite [x, y] pair');
  });
});
