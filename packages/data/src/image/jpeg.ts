/** JPEG decoding in pure JavaScript (jpeg-js). */
import jpeg from 'jpeg-js';
import { dataError, errorMessage } from '../errors.js';
import type { DecodedImage, ImageInfo } from './types.js';

/**
 * Decodes a JPEG already checked by {@link probeImage} to 8-bit RGB. Grey JPEGs are expanded to
 * three channels; Adobe CMYK/YCCK JPEGs are converted with jpeg-js's naive (non-ICC) formula.
 */
export function decodeJpegJs(bytes: Uint8Array, info: ImageInfo, file: string): DecodedImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw dataError('corrupt', file, `corrupt JPEG (${errorMessage(e)}): ${file}`, { cause: e });
  }
  if (decoded.data.length !== decoded.width * decoded.height * 3) {
    throw dataError('corrupt', file, `corrupt JPEG (decoder returned ${decoded.data.length} bytes for ${decoded.width}x${decoded.height}): ${file}`);
  }
  return { width: decoded.width, height: decoded.height, data: decoded.data, info };
}
