import { describe, expect, test } from 'vitest';
import { Rng } from '@fr/core';
import { amplitudeSpectrumMix, toPixel } from '../src/index.js';

/** Brute-force complex 2-D DFT of channel c (sign −1 forward, +1 inverse without scaling). */
function bruteDft(values: ArrayLike<number>, imag: ArrayLike<number> | null, c: number, n: number, sign: 1 | -1): { re: number[]; im: number[] } {
  const re: number[] = [];
  const im: number[] = [];
  for (let u = 0; u < n; u++) {
    for (let v = 0; v < n; v++) {
      let sr = 0;
      let si = 0;
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          const a = values[(y * n + x) * 3 + c] as number;
          const b = imag ? (imag[(y * n + x) * 3 + c] as number) : 0;
          const t = (sign * 2 * Math.PI * (u * y + v * x)) / n;
          sr += a * Math.cos(t) - b * Math.sin(t);
          si += a * Math.sin(t) + b * Math.cos(t);
        }
      }
      re.push(sr);
      im.push(si);
    }
  }
  return { re, im };
}

/** FFT.py with ratio 1, written the slow way: per channel, per frequency, with a brute DFT. */
function reference(src: Float64Array, donor: Float64Array, lambda: number, n: number): Float64Array {
  const out = new Float64Array(n * n * 3);
  for (let c = 0; c < 3; c++) {
    const fs = bruteDft(src, null, c, n, -1);
    const fd = bruteDft(donor, null, c, n, -1);
    const yr = new Float64Array(n * n * 3);
    const yi = new Float64Array(n * n * 3);
    for (let k = 0; k < n * n; k++) {
      const a = lambda * Math.hypot(fd.re[k]!, fd.im[k]!) + (1 - lambda) * Math.hypot(fs.re[k]!, fs.im[k]!);
      const phase = Math.atan2(fs.im[k]!, fs.re[k]!);
      yr[k * 3 + c] = a * Math.cos(phase);
      yi[k * 3 + c] = a * Math.sin(phase);
    }
    const back = bruteDft(yr, yi, c, n, 1);
    for (let k = 0; k < n * n; k++) out[k * 3 + c] = back.re[k]! / (n * n);
  }
  return out;
}

const randomPatch = (rng: Rng, n: number, integer = true) =>
  Float64Array.from({ length: n * n * 3 }, () => (integer ? rng.int(256) : rng.uniform(0, 255)));

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

describe('amplitudeSpectrumMix (FFT.py, ratio 1)', () => {
  test('matches a brute-force complex DFT of the official formula (9×9, several λ, integer and float patches)', () => {
    const rng = Rng.fromSeed(5);
    for (const lambda of [0, 0.25, 0.6180339887, 1]) {
      for (const integer of [true, false]) {
        const src = randomPatch(rng, 9, integer);
        const donor = randomPatch(rng, 9, integer);
        const { preClip, output } = amplitudeSpectrumMix(src, donor, lambda);
        expect(maxAbsDiff(preClip, reference(src, donor, lambda, 9))).toBeLessThan(1e-9);
        expect(Array.from(output)).toEqual(Array.from(preClip, (v) => toPixel(v)));
      }
    }
  });

  test('λ = 0 reconstructs the source (up to DFT rounding), λ = 1 takes the donor amplitude with the source phase', () => {
    const rng = Rng.fromSeed(6);
    const src = randomPatch(rng, 9, false);
    const donor = randomPatch(rng, 9, false);
    expect(maxAbsDiff(amplitudeSpectrumMix(src, donor, 0).preClip, src)).toBeLessThan(1e-10);
    const mixed = amplitudeSpectrumMix(src, donor, 1).preClip;
    for (let c = 0; c < 3; c++) {
      const fm = bruteDft(mixed, null, c, 9, -1);
      const fd = bruteDft(donor, null, c, 9, -1);
      const fs = bruteDft(src, null, c, 9, -1);
      for (let k = 0; k < 81; k++) {
        expect(Math.hypot(fm.re[k]!, fm.im[k]!)).toBeCloseTo(Math.hypot(fd.re[k]!, fd.im[k]!), 6);
        const cross = fm.re[k]! * fs.im[k]! - fm.im[k]! * fs.re[k]!; // parallel ⇔ same phase
        const dot = fm.re[k]! * fs.re[k]! + fm.im[k]! * fs.im[k]!;
        expect(Math.abs(cross)).toBeLessThan(1e-6 * Math.max(1, Math.abs(dot)));
        expect(dot).toBeGreaterThanOrEqual(-1e-9);
      }
    }
  });

  test('works for any square patch side (4×4) and a self-donor leaves the patch unchanged', () => {
    const rng = Rng.fromSeed(7);
    const src = randomPatch(rng, 4, false);
    const donor = randomPatch(rng, 4, false);
    expect(maxAbsDiff(amplitudeSpectrumMix(src, donor, 0.4).preClip, reference(src, donor, 0.4, 4))).toBeLessThan(1e-9);
    expect(maxAbsDiff(amplitudeSpectrumMix(src, src, 0.7).preClip, src)).toBeLessThan(1e-10);
  });

  test('uint8 truncation is floor after clipping; round is half-to-even after clipping', () => {
    expect([-3.2, 0, 0.999, 1, 254.9, 255, 300, Number.NaN].map((v) => toPixel(v))).toEqual([0, 0, 0, 1, 254, 255, 255, 0]);
    expect([-3.2, 0.5, 1.5, 2.5, 2.51, 254.5, 300].map((v) => toPixel(v, 'round'))).toEqual([0, 0, 2, 2, 3, 254, 255]);
    const rng = Rng.fromSeed(8);
    const src = randomPatch(rng, 9, false);
    const donor = randomPatch(rng, 9, false);
    const { preClip, output } = amplitudeSpectrumMix(src, donor, 0.3, { truncate: 'round' });
    expect(Array.from(output)).toEqual(Array.from(preClip, (v) => toPixel(v, 'round')));
  });

  test('rejects patches that are not (P, P, 3) or differ in size', () => {
    expect(() => amplitudeSpectrumMix(new Float64Array(80), new Float64Array(80), 0.5)).toThrow(/\(P, P, 3\)/);
    expect(() => amplitudeSpectrumMix(new Float64Array(243), new Float64Array(48), 0.5)).toThrow(/donor has 48/);
    expect(() => amplitudeSpectrumMix(new Float64Array(243), new Float64Array(243), Number.NaN)).toThrow(/lambda/);
  });
});
