import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng, selectBackend, type AugmentContext } from '@fr/core';
import { assertConforms, checkAugmentPlugin, testContext } from '@fr/core/testing';
import { drawErasingBox, drawRsp, randomStructurePerturbation, roundHalfEven, rsp, type RspDraw } from '../src/index.js';
import { refColorJitter, refErase, refGaussianBlur, refGrayscaleNormalised, viaUnit, type Image } from './reference.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const H = 12;
const W = 10;
const B = 7;
const PIXELS = H * W * 3;

/** A batch of k/127.5 − 1 values, with grey pixels (r = g = b) and tied maxima (r = g > b) mixed in. */
function batch(seed: number): Float32Array {
  const rng = Rng.fromSeed(seed);
  const data = new Float32Array(B * PIXELS);
  for (let p = 0; p < B * H * W; p++) {
    const k = [rng.int(256), rng.int(256), rng.int(256)];
    if (p % 7 === 0) k[1] = k[2] = k[0]!;
    if (p % 11 === 0) k[1] = Math.max(k[0]!, k[2]!) === k[0] ? k[0]! : (k[0] = k[2]! + 1, k[0]);
    for (let c = 0; c < 3; c++) data[p * 3 + c] = k[c]! / 127.5 - 1;
  }
  return data;
}

const sample = (data: Float32Array, i: number): Image => ({ h: H, w: W, data: data.slice(i * PIXELS, (i + 1) * PIXELS) });
const rows = (t: tf.Tensor, i: number): Float32Array => (t.dataSync() as Float32Array).slice(i * PIXELS, (i + 1) * PIXELS);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

const draws: RspDraw[] = [
  { perturbed: false },
  { perturbed: true, op: 0, sigma: 1.7 },
  { perturbed: true, op: 1 },
  { perturbed: true, op: 2, perm: [3, 1, 0, 2], brightness: 0.31, contrast: 0.45, saturation: 0.36, hue: 0.21 },
  { perturbed: true, op: 3, box: { h: 5, w: 3, top: 2, left: 6 } },
  { perturbed: true, op: 2, perm: [1, 2, 3, 0], brightness: 0.12, contrast: 0.58, saturation: 0.22, hue: -0.08 },
  { perturbed: true, op: 0, sigma: 0.1 },
];

describe('rsp with injected draws (the README contract)', () => {
  const data = batch(5);
  let img: tf.Tensor4D;
  beforeAll(() => {
    img = tf.tensor4d(data, [B, H, W, 3]);
  });

  test('untouched sample, grayscale and erasing are exact; blur and jitter within 1e-5 of torchvision formulas', () => {
    const { imgAug, imgClean } = rsp(img, draws);
    expect(Array.from(rows(imgAug, 0))).toEqual(Array.from(sample(data, 0).data));
    expect(Array.from(rows(imgAug, 2))).toEqual(Array.from(refGrayscaleNormalised(sample(data, 2))));
    expect(Array.from(rows(imgAug, 4))).toEqual(Array.from(refErase(sample(data, 4), { h: 5, w: 3, top: 2, left: 6 })));
    // The box is +0 (mid-grey), never −0.
    expect(rows(imgAug, 4).filter((v) => Object.is(v, -0))).toHaveLength(0);
    for (const i of [1, 6]) {
      const d = draws[i] as Extract<RspDraw, { op: 0 }>;
      expect(maxAbsDiff(rows(imgAug, i), viaUnit(sample(data, i), (y) => refGaussianBlur(y, d.sigma)).data)).toBeLessThan(1e-5);
    }
    for (const i of [3, 5]) {
      const d = draws[i] as Extract<RspDraw, { op: 2 }>;
      expect(maxAbsDiff(rows(imgAug, i), viaUnit(sample(data, i), (y) => refColorJitter(y, d)).data)).toBeLessThan(1e-5);
    }
    // Default erasingLeak 'fixed': the clean batch is the input, untouched.
    expect(Array.from(imgClean.dataSync())).toEqual(Array.from(data));
  });

  test("erasingLeak 'official': only the erased sample leaks into the clean batch, exactly", () => {
    const { imgAug, imgClean } = rsp(img, draws, { erasingLeak: 'official' });
    for (let i = 0; i < B; i++) {
      const want = i === 4 ? refErase(sample(data, i), { h: 5, w: 3, top: 2, left: 6 }) : sample(data, i).data;
      expect(Array.from(rows(imgClean, i))).toEqual(Array.from(want));
    }
    expect(Array.from(rows(imgAug, 4))).toEqual(Array.from(rows(imgClean, 4)));
  });

  test('a separate clean batch is erased with the same box; no draw perturbs: inputs returned as they are', () => {
    const clean = tf.tensor4d(batch(6), [B, H, W, 3]);
    const { imgClean } = rsp(img, draws, { clean, erasingLeak: 'official' });
    expect(Array.from(rows(imgClean, 4))).toEqual(Array.from(refErase(sample(clean.dataSync() as Float32Array, 4), { h: 5, w: 3, top: 2, left: 6 })));
    expect(Array.from(rows(imgClean, 3))).toEqual(Array.from(rows(clean, 3)));
    const none = rsp(img, draws.map(() => ({ perturbed: false })), { clean });
    expect(none.imgAug).toBe(img);
    expect(none.imgClean).toBe(clean);
  });

  test('an erasing draw with no box (no attempt fitted) changes nothing', () => {
    const { imgAug } = rsp(img, draws.map((_, i) => (i === 2 ? { perturbed: true, op: 3, box: null } : { perturbed: false })));
    expect(Array.from(imgAug.dataSync())).toEqual(Array.from(data));
  });

  test('blur needs images at least 3 wide and 5 high (reflect padding), and rejects wrong draw counts', () => {
    const small = tf.zeros([1, 4, 8, 3]) as tf.Tensor4D;
    expect(() => rsp(small, [{ perturbed: true, op: 0, sigma: 1 }])).toThrow(/at least 3×5/);
    expect(() => rsp(img, draws.slice(1))).toThrow(/draws/);
  });
});

describe('random draws', () => {
  test('Python round: half to even', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001, 7].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3, 7]);
  });

  test('timm erasing box: a failed attempt is skipped, randint is inclusive, sizes rounded half to even', () => {
    // uniform(a, b) = a + (b − a)·u with scripted u; int(n) = floor(u·n).
    const script = [
      1, 1, // attempt 1: area 1/3·100, aspect 1/0.3 → h = round(10.54) = 11 ≥ 10: rejected
      0.5, 0.5, 0.999, 0, // attempt 2: area 17.67, aspect 1 → h = w = round(4.2) = 4; top = 6 (max), left = 0
    ];
    let k = 0;
    const next = (): number => script[k++] as number;
    const fake = { uniform: (a: number, b: number) => a + (b - a) * next(), int: (n: number) => Math.min(n - 1, Math.floor(next() * n)) };
    expect(drawErasingBox(fake, 10, 10)).toEqual({ h: 4, w: 4, top: 6, left: 0 });
    expect(k).toBe(6);
    // Ten rejected attempts: no box.
    const always = { uniform: (a: number, b: number) => b + 0 * a, int: () => 0 };
    expect(drawErasingBox(always, 3, 3)).toBeNull();
  });

  test('the official distribution: u ≤ ψ, four ops uniform, draws within their ranges, boxes inside', () => {
    const rng = Rng.fromSeed(3);
    const all = drawRsp(rng, 20000, 16, 12, 0.2);
    const perturbed = all.filter((d): d is Exclude<RspDraw, { perturbed: false }> => d.perturbed);
    expect(perturbed.length / all.length).toBeCloseTo(0.2, 1);
    for (let op = 0; op < 4; op++) expect(perturbed.filter((d) => d.op === op).length / perturbed.length).toBeCloseTo(0.25, 1);
    for (const d of perturbed) {
      if (d.op === 0) expect(d.sigma >= 0.1 && d.sigma < 5).toBe(true);
      if (d.op === 2) {
        expect([...d.perm].sort()).toEqual([0, 1, 2, 3]);
        expect(d.brightness >= 0.1 && d.brightness < 0.5 && d.contrast >= 0.3 && d.contrast < 0.6).toBe(true);
        expect(d.saturation >= 0.2 && d.saturation < 0.5 && d.hue >= -0.1 && d.hue < 0.3).toBe(true);
      }
      if (d.op === 3 && d.box) {
        const { h, w, top, left } = d.box;
        expect(h < 16 && w < 12 && top >= 0 && left >= 0 && top + h <= 16 && left + w <= 12).toBe(true);
      }
    }
    expect(drawRsp(Rng.fromSeed(1), 50, 8, 8, 0).every((d) => !d.perturbed)).toBe(true);
    expect(drawRsp(Rng.fromSeed(1), 50, 8, 8, 1).every((d) => d.perturbed)).toBe(true);
  });
});

describe('randomStructurePerturbation plugin', () => {
  test('conformance (ψ 0.2 and ψ 1, both erasing modes)', () => {
    assertConforms(checkAugmentPlugin(() => randomStructurePerturbation()));
    assertConforms(checkAugmentPlugin(() => randomStructurePerturbation({ probability: 1, erasingLeak: 'official' }), { batchSize: 8 }));
  });

  test('draws from ctx.rng (same stream, same batch) and logs the perturbed fraction', () => {
    const img = tf.tensor4d(batch(9), [B, H, W, 3]);
    const labels = tf.tensor1d(new Int32Array(B), 'int32');
    const ctx = (): AugmentContext => testContext({ plugin: 'rsp', seed: 4, batchSize: B, probe: () => { throw new Error('RSP does not probe'); } });
    const plugin = randomStructurePerturbation({ probability: 1 });
    const a = plugin.apply({ input: img, clean: img, labels }, ctx());
    const b = plugin.apply({ input: img, clean: img, labels }, ctx());
    expect(Array.from(a.input.dataSync())).toEqual(Array.from(b.input.dataSync()));
    expect(a.metrics!.perturbed).toBe(1);
    const want = rsp(img, drawRsp(Rng.fromSeed(4).fork('plugin:rsp'), B, H, W, 1)).imgAug;
    expect(Array.from(a.input.dataSync())).toEqual(Array.from(want.dataSync()));
    expect(a.clean).toBe(img);
    const tiny = tf.zeros([2, 4, 8, 3]) as tf.Tensor4D;
    expect(() => randomStructurePerturbation({ probability: 0 }).apply({ input: tiny, clean: tiny, labels: tf.tensor1d([0, 1], 'int32') }, ctx())).toThrow(/at least 3×5/);
    expect(() => randomStructurePerturbation({ probability: 1.5 })).toThrow(/probability/);
    expect(() => randomStructurePerturbation({ erasingLeak: 'always' as never })).toThrow(/erasingLeak/);
  });
});
