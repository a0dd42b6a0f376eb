/**
 * Optional native JPEG decoding through sharp (libvips + libjpeg-turbo), loaded lazily. sharp is
 * an optional peer dependency: when it is not installed, {@link loadSharp} resolves to `null` and
 * callers fall back to the pure-JS decoders.
 */
import { dataError, errorMessage } from '../errors.js';
import type { DecodedImage, ImageInfo } from './types.js';

/** The parts of sharp's API this package uses. */
interface SharpLike {
  (input: Uint8Array, options?: { failOn?: 'none' | 'truncated' | 'error' | 'warning' }): {
    removeAlpha(): ReturnType<SharpLike>;
    toColourspace(space: string): ReturnType<SharpLike>;
    raw(): ReturnType<SharpLike>;
    toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
  };
}

let loading: Promise<SharpLike | null> | undefined;

/** Imports sharp once; `null` when it is not installed or fails to load its native binary. */
export function loadSharp(): Promise<SharpLike | null> {
  loading ??= import('sharp').then(
    (m) => ((m as { default?: unknown }).default ?? m) as unknown as SharpLike,
    () => null,
  );
  return loading;
}

/** Decodes a JPEG with sharp to 8-bit sRGB (grey expanded, CMYK converted through its ICC path). */
export async function decodeJpegSharp(sharp: SharpLike, bytes: Uint8Array, info: ImageInfo, file: string): Promise<DecodedImage> {
  let result: Awaited<ReturnType<ReturnType<SharpLike>['toBuffer']>>;
  try {
    result = await sharp(bytes, { failOn: 'error' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw dataError('corrupt', file, `corrupt JPEG (sharp: ${errorMessage(e)}): ${file}`, { cause: e });
  }
  const { data, info: out } = result;
  if (out.channels !== 3 || data.length !== out.width * out.height * 3) {
    throw dataError('corrupt', file, `corrupt JPEG (sharp returned ${out.channels} channels, ${data.length} bytes): ${file}`);
  }
  return { width: out.width, height: out.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info };
}
