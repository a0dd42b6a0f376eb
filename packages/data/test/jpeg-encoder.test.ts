import { describe, expect, test } from 'vitest';
import jpeg from 'jpeg-js';
import { decodeImage, decodeImageAsync, encodeJpeg, probeImage } from '@fr/data';
import { loadSharpForTests, pattern } from './helpers.js';

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += ((a[i] as number) - (b[i] as number)) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
}

/** A smooth test image (gradients). */
function gradients(width: number, height: number): Uint8Array {
  const d = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      d[i] = Math.round(128 + 100 * Math.sin(x / 9));
      d[i + 1] = Math.round((255 * y) / height);
      d[i + 2] = 100;
    }
  }
  return d;
}

/** Gradients plus a saturated disc (hard chroma edges, where 4:2:0 subsampling costs most). */
function smooth(width: number, height: number): Uint8Array {
  const d = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inDisc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 3) ** 2;
      d[i] = Math.round(128 + 100 * Math.sin(x / 9));
      d[i + 1] = Math.round((255 * y) / height);
      d[i + 2] = inDisc ? 220 : 40;
    }
  }
  return d;
}

describe('encodeJpeg', () => {
  test('round trips through jpeg-js and sharp with high fidelity (odd sizes, 4:2:0)', async () => {
    for (const [w, h] of [
      [112, 112],
      [37, 23],
      [1, 1],
    ] as const) {
      const src = gradients(w, h);
      const bytes = encodeJpeg({ width: w, height: h, data: src }, 95);
      expect(probeImage(bytes, 'x.jpg')).toMatchObject({ format: 'jpeg', width: w, height: h, channels: 3 });
      const viaJs = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
      expect([viaJs.width, viaJs.height]).toEqual([w, h]);
      if (w > 8) expect(psnr(src, decodeImage(bytes).data)).toBeGreaterThan(36);
      const viaSharp = await decodeImageAsync(bytes, { decoder: 'sharp' });
      if (w > 8) expect(psnr(src, viaSharp.data)).toBeGreaterThan(42);
    }
  });

  test('as good as libjpeg-turbo (sharp) at the same quality and subsampling', async () => {
    const sharp = await loadSharpForTests();
    if (!sharp) return console.warn('[fr/data tests] sharp not installed: encoder comparison skipped');
    const src = smooth(112, 112);
    const mine = encodeJpeg({ width: 112, height: 112, data: src }, 95);
    const theirs = new Uint8Array(await sharp(src, { raw: { width: 112, height: 112, channels: 3 } }).jpeg({ quality: 95, chromaSubsampling: '4:2:0' }).toBuffer());
    expect(psnr(src, decodeImage(mine).data)).toBeGreaterThan(psnr(src, decodeImage(theirs).data) - 0.5);
    expect(mine.length).toBeLessThan(theirs.length * 1.5);
  });

  test('flat colours come back exactly or nearly so; quality changes size', () => {
    const flat = new Uint8Array(16 * 16 * 3).map((_, i) => [200, 100, 50][i % 3] as number);
    const back = decodeImage(encodeJpeg({ width: 16, height: 16, data: flat }, 95)).data;
    for (let i = 0; i < back.length; i++) expect(Math.abs((back[i] as number) - (flat[i] as number))).toBeLessThanOrEqual(2);
    const noisy = pattern(64, 64, 3);
    expect(encodeJpeg({ width: 64, height: 64, data: noisy }, 30).length).toBeLessThan(encodeJpeg({ width: 64, height: 64, data: noisy }, 95).length);
  });

  test('is fast: a 112×112 face encodes in milliseconds, not jpeg-js\'s ~100 ms', () => {
    const img = { width: 112, height: 112, data: smooth(112, 112) };
    encodeJpeg(img);
    const t = performance.now();
    for (let i = 0; i < 20; i++) encodeJpeg(img);
    expect((performance.now() - t) / 20).toBeLessThan(30);
  });

  test('rejects inconsistent input', () => {
    expect(() => encodeJpeg({ width: 2, height: 2, data: new Uint8Array(5) })).toThrow(/5 bytes for 2x2/);
  });
});
