import { afterAll, describe, expect, test } from 'vitest';
import { DataError, decodeImage, decodeImageAsync, encodeJpeg, probeImage, type DataIssueKind } from '@fr/data';
import { cleanupTemps, jpegBytes, loadSharpForTests, netpbmBytes, pattern, pngBytes } from './helpers.js';

afterAll(cleanupTemps);

const FILE = '/data/id/img.x';

function expectIssue(fn: () => unknown, kind: DataIssueKind, text?: RegExp): DataError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DataError);
  const err = caught as DataError;
  expect(err.kind).toBe(kind);
  expect(err.file).toBe(FILE);
  expect(err.message).toContain(FILE);
  if (text) expect(err.message).toMatch(text);
  return err;
}

const grey = (values: number[]): number[] => values.flatMap((v) => [v, v, v]);

describe('JPEG', () => {
  test('RGB JPEG decodes to the encoded colours', () => {
    const img = decodeImage(jpegBytes(16, 8, 0, [200, 100, 50]), { file: FILE });
    expect([img.width, img.height, img.data.length]).toEqual([16, 8, 16 * 8 * 3]);
    expect(img.info).toMatchObject({ format: 'jpeg', channels: 3, bitDepth: 8, conversions: [] });
    for (let i = 0; i < img.data.length; i += 3) {
      expect(Math.abs((img.data[i] as number) - 200)).toBeLessThanOrEqual(2);
      expect(Math.abs((img.data[i + 1] as number) - 100)).toBeLessThanOrEqual(2);
      expect(Math.abs((img.data[i + 2] as number) - 50)).toBeLessThanOrEqual(2);
    }
  });

  test('a patterned JPEG stays close to its source', () => {
    const src = pattern(32, 32, 3);
    const img = decodeImage(jpegBytes(32, 32, 3));
    let err = 0;
    for (let i = 0; i < src.length; i++) err += Math.abs((img.data[i] as number) - (src[i] as number));
    expect(err / src.length).toBeLessThan(6);
  });

  test('grey and CMYK JPEGs are converted to RGB (fixtures made with sharp)', async () => {
    const sharp = await loadSharpForTests();
    if (!sharp) return console.warn('[fr/data tests] sharp not installed: grey/CMYK JPEG fixtures skipped');
    const raw = new Uint8Array(8 * 8 * 3).map((_, i) => [200, 30, 30][i % 3] as number);
    const greyJpeg = new Uint8Array(await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } }).toColourspace('b-w').jpeg().toBuffer());
    const g = decodeImage(greyJpeg, { file: FILE });
    expect(g.info.channels).toBe(1);
    expect(g.info.conversions).toEqual(['grey']);
    expect(g.data[0]).toBe(g.data[1]);
    expect(g.data[1]).toBe(g.data[2]);
    const cmykJpeg = new Uint8Array(await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer());
    const c = decodeImage(cmykJpeg, { file: FILE });
    expect(c.info).toMatchObject({ channels: 4, conversions: ['cmyk'] });
    expect(c.data[0] as number).toBeGreaterThan(150); // red stays red
    expect(c.data[1] as number).toBeLessThan(90);
    const viaSharp = await decodeImageAsync(cmykJpeg, { file: FILE, decoder: 'sharp' });
    expect(viaSharp.data.length).toBe(8 * 8 * 3);
    expect(viaSharp.data[0] as number).toBeGreaterThan(150);
    // 4 channels without the Adobe marker: colour space unknown → unsupported, naming the file.
    const at = cmykJpeg.findIndex((b, i) => b === 0xff && cmykJpeg[i + 1] === 0xee);
    expect(at).toBeGreaterThan(0);
    const len = ((cmykJpeg[at + 2] as number) << 8) | (cmykJpeg[at + 3] as number);
    const noAdobe = new Uint8Array([...cmykJpeg.subarray(0, at), ...cmykJpeg.subarray(at + 2 + len)]);
    expectIssue(() => decodeImage(noAdobe, { file: FILE }), 'unsupported', /4-channel JPEG without an Adobe marker/);
  });

  test('sharp and jpeg-js agree within a few levels', async () => {
    const smooth = new Uint8Array(40 * 40 * 3).map((_, i) => {
      const x = Math.floor(i / 3) % 40;
      const y = Math.floor(i / 120);
      return Math.round(128 + 90 * Math.sin((x + (i % 3) * 7) / 8) * Math.cos(y / 11));
    });
    const bytes = encodeJpeg({ width: 40, height: 40, data: smooth });
    const js = decodeImage(bytes);
    const native = await decodeImageAsync(bytes, { decoder: 'sharp' });
    let sum = 0;
    for (let i = 0; i < js.data.length; i++) sum += Math.abs((js.data[i] as number) - (native.data[i] as number));
    expect(sum / js.data.length).toBeLessThan(3);
  });

  test('truncated JPEGs are reported as truncated, at any cut', () => {
    const bytes = jpegBytes(32, 32, 1);
    for (const cut of [1, 10, 200, Math.floor(bytes.length / 2), bytes.length - 1]) {
      expectIssue(() => decodeImage(bytes.subarray(0, cut), { file: FILE }), 'truncated', /truncated JPEG/);
    }
  });

  test('12-bit JPEGs are unsupported', () => {
    const bytes = jpegBytes(8, 8).slice();
    const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
    bytes[sof + 4] = 12;
    expectIssue(() => decodeImage(bytes, { file: FILE }), 'unsupported', /12-bit/);
  });
});

describe('PNG', () => {
  test('grey 8-bit is expanded to three equal channels', () => {
    const samples = [0, 50, 100, 255, 7, 9];
    const img = decodeImage(pngBytes({ width: 3, height: 2, colorType: 0, bitDepth: 8, samples }), { file: FILE });
    expect(Array.from(img.data)).toEqual(grey(samples));
    expect(img.info).toMatchObject({ format: 'png', channels: 1, bitDepth: 8, conversions: ['grey'] });
  });

  test('grey 16-bit is scaled to 8 bits with rounding', () => {
    const samples = [0, 65535, 257 * 100, 32896];
    const img = decodeImage(pngBytes({ width: 2, height: 2, colorType: 0, bitDepth: 16, samples }), { file: FILE });
    expect(Array.from(img.data)).toEqual(grey([0, 255, 100, 128]));
    expect(img.info.conversions).toEqual(['grey', '16-bit']);
  });

  test('grey + alpha: alpha dropped, grey expanded', () => {
    const img = decodeImage(pngBytes({ width: 2, height: 1, colorType: 4, bitDepth: 8, samples: [10, 255, 200, 0] }), { file: FILE });
    expect(Array.from(img.data)).toEqual(grey([10, 200]));
    expect(img.info.conversions).toEqual(['grey', 'alpha']);
  });

  test('RGB 8 and 16 bit, RGBA', () => {
    const rgb = decodeImage(pngBytes({ width: 2, height: 1, colorType: 2, bitDepth: 8, samples: [1, 2, 3, 4, 5, 6] }));
    expect(Array.from(rgb.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rgb.info.conversions).toEqual([]);
    const rgb16 = decodeImage(pngBytes({ width: 1, height: 1, colorType: 2, bitDepth: 16, samples: [65535, 0, 257 * 77] }));
    expect(Array.from(rgb16.data)).toEqual([255, 0, 77]);
    expect(rgb16.info.conversions).toEqual(['16-bit']);
    const rgba = decodeImage(pngBytes({ width: 1, height: 2, colorType: 6, bitDepth: 8, samples: [9, 8, 7, 255, 1, 2, 3, 0] }));
    expect(Array.from(rgba.data)).toEqual([9, 8, 7, 1, 2, 3]);
    expect(rgba.info.conversions).toEqual(['alpha']);
  });

  test('palette PNG (8-bit and 4-bit indices) is expanded', () => {
    const palette: [number, number, number][] = [
      [255, 0, 0],
      [0, 255, 0],
      [10, 20, 30],
    ];
    for (const bitDepth of [8, 4] as const) {
      const img = decodeImage(pngBytes({ width: 3, height: 1, colorType: 3, bitDepth, samples: [2, 0, 1], palette }), { file: FILE });
      expect(Array.from(img.data)).toEqual([10, 20, 30, 255, 0, 0, 0, 255, 0]);
      expect(img.info.conversions).toEqual(['palette']);
    }
  });

  test('1-bit grey is scaled to 0/255', () => {
    const img = decodeImage(pngBytes({ width: 4, height: 1, colorType: 0, bitDepth: 1, samples: [0, 1, 1, 0] }));
    expect(Array.from(img.data)).toEqual(grey([0, 255, 255, 0]));
    expect(img.info.conversions).toEqual(['grey', 'low-bit-depth']);
  });

  test('truncated and corrupt PNGs are reported', () => {
    const bytes = pngBytes({ width: 8, height: 8, colorType: 2, bitDepth: 8, samples: pattern(8, 8) });
    for (const cut of [4, 20, 40, bytes.length - 5]) expectIssue(() => decodeImage(bytes.subarray(0, cut), { file: FILE }), 'truncated', /truncated PNG/);
    const damaged = bytes.slice();
    const idat = damaged.findIndex((b, i) => String.fromCharCode(b, damaged[i + 1] ?? 0, damaged[i + 2] ?? 0, damaged[i + 3] ?? 0) === 'IDAT');
    damaged[idat + 6] = (damaged[idat + 6] as number) ^ 0xff;
    expectIssue(() => decodeImage(damaged, { file: FILE }), 'corrupt', /corrupt PNG/);
  });
});

describe('PGM / PPM', () => {
  test('P5 8-bit, P2 with a comment, P6 and P3', () => {
    const samples = [0, 10, 20, 30, 40, 250];
    expect(Array.from(decodeImage(netpbmBytes({ magic: 'P5', width: 3, height: 2, maxval: 255, samples })).data)).toEqual(grey(samples));
    const p2 = decodeImage(netpbmBytes({ magic: 'P2', width: 3, height: 2, maxval: 255, samples, comment: 'made by a test' }), { file: FILE });
    expect(Array.from(p2.data)).toEqual(grey(samples));
    expect(p2.info).toMatchObject({ format: 'pgm', channels: 1, conversions: ['grey'] });
    const rgb = [1, 2, 3, 4, 5, 6];
    expect(Array.from(decodeImage(netpbmBytes({ magic: 'P6', width: 2, height: 1, maxval: 255, samples: rgb })).data)).toEqual(rgb);
    expect(Array.from(decodeImage(netpbmBytes({ magic: 'P3', width: 2, height: 1, maxval: 255, samples: rgb })).data)).toEqual(rgb);
  });

  test('16-bit and odd maxval PGMs are scaled to 8 bits', () => {
    const wide = decodeImage(netpbmBytes({ magic: 'P5', width: 3, height: 1, maxval: 65535, samples: [0, 65535, 257 * 9] }), { file: FILE });
    expect(Array.from(wide.data)).toEqual(grey([0, 255, 9]));
    expect(wide.info).toMatchObject({ bitDepth: 16, conversions: ['grey', '16-bit'] });
    const ten = decodeImage(netpbmBytes({ magic: 'P5', width: 2, height: 1, maxval: 1023, samples: [1023, 512] }));
    expect(Array.from(ten.data)).toEqual(grey([255, 128]));
    const low = decodeImage(netpbmBytes({ magic: 'P5', width: 2, height: 1, maxval: 15, samples: [15, 1] }));
    expect(Array.from(low.data)).toEqual(grey([255, 17]));
    expect(low.info.conversions).toEqual(['grey', 'low-bit-depth']);
  });

  test('truncated PGMs are reported', () => {
    const bytes = netpbmBytes({ magic: 'P5', width: 10, height: 10, maxval: 255, samples: new Uint8Array(100) });
    expectIssue(() => decodeImage(bytes.subarray(0, bytes.length - 1), { file: FILE }), 'truncated', /truncated PGM \(99 of 100/);
    expectIssue(() => decodeImage(bytes.subarray(0, 5), { file: FILE }), 'truncated', /header incomplete/);
    const text = netpbmBytes({ magic: 'P2', width: 2, height: 2, maxval: 255, samples: [1, 2, 3] });
    expectIssue(() => decodeImage(text, { file: FILE }), 'truncated', /3 of 4 samples/);
  });
});

describe('not images', () => {
  test('empty files, text, HTML and unknown bytes name the file', () => {
    expectIssue(() => decodeImage(new Uint8Array(0), { file: FILE }), 'truncated', /empty image file/);
    expectIssue(() => decodeImage(new TextEncoder().encode('<html>404 Not Found</html>'), { file: FILE }), 'not-an-image', /starts with text "<html>404/);
    expectIssue(() => decodeImage(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8]), { file: FILE }), 'not-an-image', /starts with bytes 00 01 02/);
  });

  test('known but unsupported formats are named', () => {
    expectIssue(() => decodeImage(new TextEncoder().encode('GIF89a......'), { file: FILE }), 'unsupported', /GIF/);
    expectIssue(() => decodeImage(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '), { file: FILE }), 'unsupported', /WebP/);
  });
});

describe('conversions', () => {
  test('rejectConversions turns a needed conversion into an error naming the file', () => {
    const greyPng = pngBytes({ width: 2, height: 2, colorType: 0, bitDepth: 8, samples: [1, 2, 3, 4] });
    expectIssue(() => decodeImage(greyPng, { file: FILE, rejectConversions: ['grey'] }), 'conversion-rejected', /grey; PNG 2x2, 1 channel/);
    const png16 = pngBytes({ width: 1, height: 1, colorType: 2, bitDepth: 16, samples: [1, 2, 3] });
    expectIssue(() => decodeImage(png16, { file: FILE, rejectConversions: ['16-bit'] }), 'conversion-rejected', /16-bit/);
    expect(() => decodeImage(greyPng, { rejectConversions: ['16-bit'] })).not.toThrow();
  });

  test('probeImage reads the header only', () => {
    const info = probeImage(jpegBytes(20, 10), FILE);
    expect(info).toEqual({ format: 'jpeg', width: 20, height: 10, channels: 3, bitDepth: 8, conversions: [] });
  });
});
