/**
 * Image decoding in Node: JPEG, PNG (every colour type, 1–16 bits) and PGM/PPM to 8-bit RGB.
 * Pure JavaScript by default; sharp optionally for JPEG (see the package README for the numbers).
 */
import { dataError } from '../errors.js';
import { decodeJpegJs } from './jpeg.js';
import { decodeNetpbm } from './netpbm.js';
import { decodePngJs } from './png.js';
import { probeImage } from './probe.js';
import { decodeJpegSharp, loadSharp } from './sharp-decoder.js';
import type { ColorConversion, DecodedImage, ImageInfo } from './types.js';

/**
 * Which JPEG decoder to use. `js` (default): jpeg-js, identical pixels on every machine. `sharp`:
 * libjpeg-turbo through sharp (faster on large JPEGs, pixels differ from jpeg-js by a few levels);
 * falls back to `js` when sharp is not installed. PNG and PGM always use the JS decoders, which
 * are faster than sharp at face-crop sizes.
 */
export type DecoderChoice = 'js' | 'sharp';

export interface DecodeOptions {
  /** Named in every error message (default `<memory>`). */
  readonly file?: string;
  /**
   * Conversions to refuse with a `conversion-rejected` error, e.g. `['cmyk', '16-bit']` when a
   * training set must be plain 8-bit RGB. Default: none (everything is converted to 8-bit RGB).
   */
  readonly rejectConversions?: readonly ColorConversion[];
}

/** Throws a `conversion-rejected` {@link DataError} when `info` needs a conversion in `reject`. */
export function checkConversions(info: ImageInfo, file: string, reject: readonly ColorConversion[] | undefined): void {
  if (!reject || reject.length === 0) return;
  const refused = info.conversions.filter((c) => reject.includes(c));
  if (refused.length > 0) {
    const what = `${info.format.toUpperCase()} ${info.width}x${info.height}, ${info.channels} channel(s), ${info.bitDepth}-bit`;
    throw dataError('conversion-rejected', file, `image needs a rejected conversion (${refused.join(', ')}; ${what}): ${file}`);
  }
}

/**
 * Decodes an image file's bytes to 8-bit RGB, synchronously, in pure JavaScript.
 * Throws a {@link DataError} naming the file for empty, truncated, corrupt, unsupported and
 * non-image inputs.
 *
 * @example
 * ```ts
 * const img = decodeImage(readFileSync('s1/1.pgm'), { file: 's1/1.pgm' });
 * img.width; img.height; img.data; // Uint8Array, RGB interleaved
 * img.info.conversions;            // ['grey']
 * ```
 */
export function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): DecodedImage {
  const file = options.file ?? '<memory>';
  const info = probeImage(bytes, file);
  checkConversions(info, file, options.rejectConversions);
  switch (info.format) {
    case 'jpeg':
      return decodeJpegJs(bytes, info, file);
    case 'png':
      return decodePngJs(bytes, info, file);
    case 'pgm':
    case 'ppm':
      return decodeNetpbm(bytes, file);
  }
}

/**
 * Like {@link decodeImage}, optionally decoding JPEGs with sharp (asynchronous, off the JS thread).
 *
 * @example
 * ```ts
 * const img = await decodeImageAsync(bytes, { file, decoder: 'sharp' });
 * ```
 */
export async function decodeImageAsync(bytes: Uint8Array, options: DecodeOptions & { readonly decoder?: DecoderChoice } = {}): Promise<DecodedImage> {
  if (options.decoder !== 'sharp') return decodeImage(bytes, options);
  const file = options.file ?? '<memory>';
  const info = probeImage(bytes, file);
  checkConversions(info, file, options.rejectConversions);
  if (info.format === 'jpeg') {
    const sharp = await loadSharp();
    if (sharp) return decodeJpegSharp(sharp, bytes, info, file);
  }
  return decodeImage(bytes, options);
}

/** Whether sharp can be imported here (so `decoder: 'sharp'` will actually use it). */
export async function sharpAvailable(): Promise<boolean> {
  return (await loadSharp()) !== null;
}
