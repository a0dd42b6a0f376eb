/**
 * Encoding an 8-bit RGB image in the format its file name asks for, so a converted copy of a
 * dataset (aligned faces) keeps every file name: JPEG (this package's encoder), PNG (pngjs,
 * lossless), PGM (grey, the channel mean) and PPM.
 */
import { extname } from 'node:path';
import { PNG } from 'pngjs';
import { encodeJpeg } from './jpeg-encoder.js';
import type { ImageFormat, RgbImage } from './types.js';

const BY_EXTENSION: Record<string, ImageFormat> = { '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png', '.pgm': 'pgm', '.ppm': 'ppm' };

/** The format a file name implies (by extension, any case), or undefined. */
export function formatForPath(path: string): ImageFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

function netpbm(image: RgbImage, grey: boolean): Uint8Array {
  const header = Buffer.from(`${grey ? 'P5' : 'P6'}\n${image.width} ${image.height}\n255\n`, 'ascii');
  const n = image.width * image.height;
  const body = grey ? new Uint8Array(n) : image.data;
  if (grey) for (let i = 0; i < n; i++) body[i] = Math.round(((image.data[3 * i] as number) + (image.data[3 * i + 1] as number) + (image.data[3 * i + 2] as number)) / 3);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/**
 * Encodes `image` as `format` (`quality` applies to JPEG, default 95).
 *
 * @example
 * ```ts
 * writeFileSync('out/s1/1.png', encodeImage(alignFace(img, points), formatForPath('s1/1.png') ?? 'png'));
 * ```
 */
export function encodeImage(image: RgbImage, format: ImageFormat, quality = 95): Uint8Array {
  switch (format) {
    case 'jpeg':
      return encodeJpeg(image, quality);
    case 'png': {
      const buffer = PNG.sync.write({ width: image.width, height: image.height, data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength) } as PNG, {
        colorType: 2,
        inputColorType: 2,
        inputHasAlpha: false,
      });
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    }
    case 'pgm':
      return netpbm(image, true);
    case 'ppm':
      return netpbm(image, false);
  }
}
