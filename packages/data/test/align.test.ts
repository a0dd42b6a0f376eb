import { describe, expect, test } from 'vitest';
import { ARCFACE_TEMPLATE_112, alignFace, alignmentTransform, applyAffine, arcfaceTemplate, estimateSimilarity, invertAffine, similarityMatrix, warpAffine, type Point, type RgbImage } from '@fr/data';

/** A smooth analytic "face": known colour at every real-valued point of the 112×112 frame. */
const f = (x: number, y: number): [number, number, number] => [
  128 + 100 * Math.sin(x / 13) * Math.cos(y / 17),
  128 + 90 * Math.cos((x + y) / 19),
  Math.min(255, Math.max(0, 255 - 2 * Math.hypot(x - 56, y - 60))),
];

describe('similarity estimation', () => {
  test('recovers a known similarity exactly from the five template points', () => {
    const truth = similarityMatrix(1.7, 0.35, 40, -12);
    const landmarks = ARCFACE_TEMPLATE_112.map((p) => applyAffine(truth, p));
    const m = estimateSimilarity(ARCFACE_TEMPLATE_112, landmarks);
    m.forEach((v, i) => expect(v).toBeCloseTo(truth[i] as number, 10));
    const back = alignmentTransform(landmarks);
    const inv = invertAffine(truth);
    back.forEach((v, i) => expect(v).toBeCloseTo(inv[i] as number, 10));
  });

  test('is the least-squares optimum for noisy points (any perturbation increases the error)', () => {
    const noisy: Point[] = ARCFACE_TEMPLATE_112.map(([x, y], i) => [2 * x + 30 + [0.8, -1.1, 0.3, 1.4, -0.6][i]!, 2 * y + 5 + [-0.4, 0.9, -1.3, 0.2, 0.7][i]!]);
    const m = estimateSimilarity(ARCFACE_TEMPLATE_112, noisy);
    const sse = (a: number, b: number, tx: number, ty: number): number =>
      ARCFACE_TEMPLATE_112.reduce((s, p, i) => {
        const q = applyAffine([a, -b, tx, b, a, ty], p);
        return s + (q[0] - noisy[i]![0]) ** 2 + (q[1] - noisy[i]![1]) ** 2;
      }, 0);
    const best = sse(m[0], m[3], m[2], m[5]);
    for (const d of [
      [1e-3, 0, 0, 0],
      [-1e-3, 0, 0, 0],
      [0, 1e-3, 0, 0],
      [0, -1e-3, 0, 0],
      [0, 0, 0.05, 0],
      [0, 0, 0, -0.05],
    ]) {
      expect(sse(m[0] + d[0]!, m[3] + d[1]!, m[2] + d[2]!, m[5] + d[3]!)).toBeGreaterThan(best);
    }
    expect(m[1]).toBeCloseTo(-m[3], 12); // a similarity: [a −b; b a]
    expect(m[4]).toBeCloseTo(m[0], 12);
  });

  test('degenerate input is rejected', () => {
    expect(() => estimateSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow(/same place/);
    expect(() => alignmentTransform([[1, 2]])).toThrow(/5 landmarks/);
  });

  test('templates for other sizes follow insightface estimate_norm', () => {
    expect(arcfaceTemplate(224)[0]).toEqual([38.2946 * 2, 51.6963 * 2]);
    const t128 = arcfaceTemplate(128);
    expect(t128[0]?.[0]).toBeCloseTo(38.2946 + 8, 10);
    expect(t128[0]?.[1]).toBeCloseTo(51.6963, 10);
  });
});

describe('warping', () => {
  test('aligning a synthetically transformed face recovers the canonical crop', () => {
    // The scene: the canonical face f seen through a similarity T (scale 1.8, rotated 20°, shifted).
    const T = similarityMatrix(1.8, (20 * Math.PI) / 180, 90, 30);
    const Tinv = invertAffine(T);
    const W = 320;
    const H = 300;
    const data = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const [u, v] = applyAffine(Tinv, [x, y]);
        const c = f(u, v);
        data.set([Math.round(c[0]), Math.round(c[1]), Math.round(c[2])], (y * W + x) * 3);
      }
    }
    const photo: RgbImage = { width: W, height: H, data };
    const landmarks = ARCFACE_TEMPLATE_112.map((p) => applyAffine(T, p)); // what a detector would report
    const face = alignFace(photo, landmarks);
    expect([face.width, face.height]).toEqual([112, 112]);
    let maxErr = 0;
    let sumErr = 0;
    for (let y = 0; y < 112; y++) {
      for (let x = 0; x < 112; x++) {
        const c = f(x, y);
        for (let k = 0; k < 3; k++) {
          const e = Math.abs((face.data[(y * 112 + x) * 3 + k] as number) - c[k]!);
          maxErr = Math.max(maxErr, e);
          sumErr += e;
        }
      }
    }
    expect(sumErr / (112 * 112 * 3)).toBeLessThan(1);
    expect(maxErr).toBeLessThan(4);
  });

  test('warpAffine: integer translation is an exact shift with black borders', () => {
    const src: RgbImage = { width: 4, height: 1, data: Uint8Array.from([10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40]) };
    const out = warpAffine(src, [1, 0, 1, 0, 1, 0], 4, 1);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30]);
    const half = warpAffine(src, [1, 0, 0.5, 0, 1, 0], 4, 1, { fill: 0 });
    expect(Array.from(half.data.filter((_, i) => i % 3 === 0))).toEqual([5, 15, 25, 35]);
  });
});
