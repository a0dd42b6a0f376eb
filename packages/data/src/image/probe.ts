/**
 * Header-only image probing: format, size, channels and bit depth, and structural checks that
 * catch truncated files (a JPEG without its end-of-image marker, a PNG without IEND, a PGM with
 * fewer samples than its header announces) without decoding any pixel.
 */
import { dataError } from '../errors.js';
import type { ColorConversion, ImageFormat, ImageInfo } from './types.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Image file extensions the loaders pick up (lower case, with the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.pgm', '.ppm'];

/**
 * Recognises the container from the first bytes; `undefined` when it is none of ours.
 *
 * @example
 * ```ts
 * sniffFormat(readFileSync('a.jpg')); // 'jpeg'
 * ```
 */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 2 && bytes[0] === 0x50 /* P */) {
    const c = bytes[1];
    if (c === 0x32 || c === 0x35) return 'pgm'; // P2, P5
    if (c === 0x33 || c === 0x36) return 'ppm'; // P3, P6
  }
  return undefined;
}

/** Names formats we recognise but do not decode, for a clearer message than "not an image". */
function otherFormat(bytes: Uint8Array): string | undefined {
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === 'GIF8') return 'GIF';
  if (ascii(0, 2) === 'BM') return 'BMP';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'TIFF';
  if (ascii(4, 8) === 'ftyp') return 'HEIF/AVIF';
  return undefined;
}

function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 16);
  const printable = Array.from(head).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  if (printable) return `starts with text ${JSON.stringify(String.fromCharCode(...head))}`;
  return `starts with bytes ${Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}

/**
 * Reads format, size and sample layout from the header and checks the file is structurally
 * complete. Throws a {@link DataError} (`not-an-image`, `truncated`, `corrupt` or `unsupported`)
 * naming `file`.
 *
 * @example
 * ```ts
 * const info = probeImage(readFileSync(path), path);
 * if (info.conversions.includes('grey')) console.log(`${path} is greyscale`);
 * ```
 */
export function probeImage(bytes: Uint8Array, file: string): ImageInfo {
  if (bytes.length === 0) throw dataError('truncated', file, `empty image file (0 bytes): ${file}`);
  const format = sniffFormat(bytes);
  switch (format) {
    case 'jpeg':
      return probeJpeg(bytes, file);
    case 'png':
      return probePng(bytes, file);
    case 'pgm':
    case 'ppm':
      return probeNetpbm(bytes, file).info;
    default: {
      const prefixOf = (sig: readonly number[]): boolean => bytes.length < sig.length && bytes.every((b, i) => b === sig[i]);
      if (prefixOf([0xff, 0xd8, 0xff])) throw dataError('truncated', file, `truncated JPEG (only ${bytes.length} byte(s)): ${file}`);
      if (prefixOf(PNG_SIGNATURE)) throw dataError('truncated', file, `truncated PNG (only ${bytes.length} byte(s)): ${file}`);
      const other = otherFormat(bytes);
      if (other) throw dataError('unsupported', file, `unsupported image format ${other} (JPEG, PNG, PGM/PPM are decoded): ${file}`);
      throw dataError('not-an-image', file, `not an image (${describeStart(bytes)}): ${file}`);
    }
  }
}

function probeJpeg(bytes: Uint8Array, file: string): ImageInfo {
  let pos = 2;
  let frame: { precision: number; height: number; width: number; components: number; sof: number } | undefined;
  let adobeTransform: number | undefined;
  let sos = -1;
  while (pos < bytes.length) {
    if (bytes[pos] !== 0xff) throw dataError('corrupt', file, `corrupt JPEG (expected a marker at byte ${pos}): ${file}`);
    let marker = bytes[pos + 1] ?? -1;
    while (marker === 0xff) marker = bytes[++pos + 1] ?? -1; // fill bytes
    if (marker < 0) break;
    pos += 2;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9) throw dataError('corrupt', file, `corrupt JPEG (end-of-image before any scan): ${file}`);
    if (pos + 2 > bytes.length) break;
    const length = ((bytes[pos] as number) << 8) | (bytes[pos + 1] as number);
    if (length < 2) throw dataError('corrupt', file, `corrupt JPEG (segment length ${length} at byte ${pos}): ${file}`);
    if (pos + length > bytes.length) break;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof && !frame) {
      frame = {
        sof: marker,
        precision: bytes[pos + 2] as number,
        height: ((bytes[pos + 3] as number) << 8) | (bytes[pos + 4] as number),
        width: ((bytes[pos + 5] as number) << 8) | (bytes[pos + 6] as number),
        components: bytes[pos + 7] as number,
      };
    } else if (marker === 0xee && length >= 14 && String.fromCharCode(...bytes.subarray(pos + 2, pos + 7)) === 'Adobe') {
      adobeTransform = bytes[pos + 13] as number;
    } else if (marker === 0xda) {
      sos = pos + length;
      break;
    }
    pos += length;
  }
  if (sos < 0 || !frame) throw dataError('truncated', file, `truncated JPEG (file ends inside the header, ${bytes.length} bytes): ${file}`);
  // Inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so an FF D9
  // after the first scan header can only be the end-of-image marker.
  if (!hasEndOfImage(bytes, sos)) {
    throw dataError('truncated', file, `truncated JPEG (no end-of-image marker; ${bytes.length} bytes): ${file}`);
  }
  if (frame.sof === 0xc3 || frame.sof === 0xc7 || frame.sof === 0xcb || frame.sof === 0xcf) {
    throw dataError('unsupported', file, `unsupported lossless JPEG: ${file}`);
  }
  if (frame.sof >= 0xc9) throw dataError('unsupported', file, `unsupported arithmetic-coded JPEG: ${file}`);
  if (frame.precision !== 8) throw dataError('unsupported', file, `unsupported ${frame.precision}-bit JPEG (8-bit only): ${file}`);
  if (frame.width === 0 || frame.height === 0) throw dataError('corrupt', file, `corrupt JPEG (size ${frame.width}x${frame.height}): ${file}`);
  const conversions: ColorConversion[] = [];
  if (frame.components === 1) conversions.push('grey');
  else if (frame.components === 4) {
    if (adobeTransform === undefined) {
      throw dataError('unsupported', file, `unsupported 4-channel JPEG without an Adobe marker (CMYK colour space unknown): ${file}`);
    }
    conversions.push('cmyk');
  } else if (frame.components !== 3) {
    throw dataError('unsupported', file, `unsupported JPEG with ${frame.components} components: ${file}`);
  }
  return { format: 'jpeg', width: frame.width, height: frame.height, channels: frame.components, bitDepth: 8, conversions };
}

function hasEndOfImage(bytes: Uint8Array, from: number): boolean {
  for (let i = bytes.length - 2; i >= from; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

const readU32 = (b: Uint8Array, p: number): number =>
  (((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number)) >>> 0;

function probePng(bytes: Uint8Array, file: string): ImageInfo {
  let pos = 8;
  let header: { width: number; height: number; depth: number; colorType: number } | undefined;
  let sawTransparency = false;
  let ended = false;
  while (pos + 8 <= bytes.length) {
    const length = readU32(bytes, pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + length > bytes.length) break;
    if (!header) {
      if (type !== 'IHDR' || length !== 13) throw dataError('corrupt', file, `corrupt PNG (first chunk is ${JSON.stringify(type)}, not IHDR): ${file}`);
      header = {
        width: readU32(bytes, pos + 8),
        height: readU32(bytes, pos + 12),
        depth: bytes[pos + 16] as number,
        colorType: bytes[pos + 17] as number,
      };
    } else if (type === 'tRNS') sawTransparency = true;
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos += 12 + length;
  }
  if (!header) throw dataError('truncated', file, `truncated PNG (no complete IHDR chunk, ${bytes.length} bytes): ${file}`);
  if (!ended) throw dataError('truncated', file, `truncated PNG (no IEND chunk; ${bytes.length} bytes): ${file}`);
  const { width, height, depth, colorType } = header;
  if (width === 0 || height === 0) throw dataError('corrupt', file, `corrupt PNG (size ${width}x${height}): ${file}`);
  const channelsByType: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
  const channels = channelsByType[colorType];
  if (channels === undefined) throw dataError('corrupt', file, `corrupt PNG (colour type ${colorType}): ${file}`);
  const conversions: ColorConversion[] = [];
  if (colorType === 3) conversions.push('palette');
  if (colorType === 0 || colorType === 4) conversions.push('grey');
  if (colorType === 4 || colorType === 6 || sawTransparency) conversions.push('alpha');
  if (depth === 16) conversions.push('16-bit');
  else if (depth < 8 && colorType !== 3) conversions.push('low-bit-depth');
  return { format: 'png', width, height, channels, bitDepth: depth, conversions };
}

/** Parsed netpbm header; `dataStart` is the offset of the first sample. */
export interface NetpbmHeader {
  readonly info: ImageInfo;
  readonly binary: boolean;
  readonly maxval: number;
  readonly dataStart: number;
}

/** Parses a PGM/PPM (P2, P3, P5, P6) header and checks the sample count. */
export function probeNetpbm(bytes: Uint8Array, file: string): NetpbmHeader {
  const magic = String.fromCharCode(bytes[0] as number, bytes[1] as number);
  const channels = magic === 'P3' || magic === 'P6' ? 3 : 1;
  const binary = magic === 'P5' || magic === 'P6';
  const format: ImageFormat = channels === 3 ? 'ppm' : 'pgm';
  let pos = 2;
  const fields: number[] = [];
  const isSpace = (b: number | undefined): boolean => b === 32 || b === 9 || b === 10 || b === 13 || b === 11 || b === 12;
  while (fields.length < 3) {
    while (pos < bytes.length) {
      const b = bytes[pos];
      if (isSpace(b)) pos++;
      else if (b === 0x23 /* # */) while (pos < bytes.length && bytes[pos] !== 10 && bytes[pos] !== 13) pos++;
      else break;
    }
    if (pos >= bytes.length) throw dataError('truncated', file, `truncated ${format.toUpperCase()} (header incomplete): ${file}`);
    let value = 0;
    let digits = 0;
    while (pos < bytes.length && (bytes[pos] as number) >= 0x30 && (bytes[pos] as number) <= 0x39) {
      value = value * 10 + ((bytes[pos] as number) - 0x30);
      pos++;
      digits++;
    }
    if (digits === 0) throw dataError('corrupt', file, `corrupt ${format.toUpperCase()} header (expected a number at byte ${pos}): ${file}`);
    fields.push(value);
  }
  const [width, height, maxval] = fields as [number, number, number];
  if (width === 0 || height === 0) throw dataError('corrupt', file, `corrupt ${format.toUpperCase()} (size ${width}x${height}): ${file}`);
  if (maxval < 1 || maxval > 65535) throw dataError('corrupt', file, `corrupt ${format.toUpperCase()} (maxval ${maxval}): ${file}`);
  if (!isSpace(bytes[pos])) throw dataError('corrupt', file, `corrupt ${format.toUpperCase()} header (no whitespace after maxval): ${file}`);
  pos++; // exactly one whitespace byte separates the header from binary samples
  const bitDepth = maxval > 255 ? 16 : 8;
  const samples = width * height * channels;
  if (binary) {
    const need = samples * (bitDepth / 8);
    if (bytes.length - pos < need) {
      throw dataError('truncated', file, `truncated ${format.toUpperCase()} (${bytes.length - pos} of ${need} sample bytes): ${file}`);
    }
  }
  const conversions: ColorConversion[] = [];
  if (channels === 1) conversions.push('grey');
  if (bitDepth === 16) conversions.push('16-bit');
  else if (maxval !== 255) conversions.push('low-bit-depth');
  return { info: { format, width, height, channels, bitDepth, conversions }, binary, maxval, dataStart: pos };
}
