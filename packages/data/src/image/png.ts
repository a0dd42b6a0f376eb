/** PNG decode in pure JavaScript (pngjs): every colour type and bit depth, to 8-bit RGB. */
import { PNG } from 'pngjs';
import { dataError, errorMessage } from '../errors.js';
import type { DecodedImage, ImageInfo } from './types.js';

/**
 * Decodes a PNG already checked by {@link probeImage}. pngjs expands grey, grey+alpha and palette
 * images to RGBA and scales 1/2/4/16-bit samples to 8 bits (rounding); the alpha channel is then
 * dropped (faces are assumed opaque).
 */
export function decodePngJs(bytes: Uint8Array, info: ImageInfo, file: string): DecodedImage {
  let png: { width: number; height: number; data: Uint8Array };
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    png = PNG.sync.read(buffer, { checkCRC: true });
  } catch (e) {
    throw dataError('corrupt', file, `corrupt PNG (${errorMessage(e)}): ${file}`, { cause: e });
  }
  const { width, height, data: rgba } = png;
  if (rgba.length !== width * height * 4) {
    throw dataError('corrupt', file, `corrupt PNG (decoder returned ${rgba.length} bytes for ${width}x${height}): ${file}`);
  }
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    data[j] = rgba[i] as number;
    data[j + 1] = rgba[i + 1] as number;
    data[j + 2] = rgba[i + 2] as number;
  }
  return { width, height, data, info };
}
