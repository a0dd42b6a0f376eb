/** PGM/PPM decode (P2, P3, P5, P6; 8- and 16-bit) to 8-bit RGB. */
import { dataError } from '../errors.js';
import { probeNetpbm } from './probe.js';
import type { DecodedImage } from './types.js';

/**
 * Decodes a netpbm grey map or pixmap. Samples are scaled from `[0, maxval]` to `[0, 255]` with
 * rounding (16-bit samples are big-endian, as the format specifies); grey is expanded to RGB.
 */
export function decodeNetpbm(bytes: Uint8Array, file: string): DecodedImage {
  const { info, binary, maxval, dataStart } = probeNetpbm(bytes, file);
  const { width, height, channels } = info;
  const samples = width * height * channels;
  const values = new Uint16Array(samples);
  if (binary) {
    if (maxval > 255) {
      for (let i = 0, p = dataStart; i < samples; i++, p += 2) values[i] = ((bytes[p] as number) << 8) | (bytes[p + 1] as number);
    } else {
      values.set(bytes.subarray(dataStart, dataStart + samples));
    }
  } else {
    let pos = dataStart;
    for (let i = 0; i < samples; i++) {
      while (pos < bytes.length && !((bytes[pos] as number) >= 0x30 && (bytes[pos] as number) <= 0x39)) {
        if (bytes[pos] === 0x23) while (pos < bytes.length && bytes[pos] !== 10) pos++;
        else pos++;
      }
      if (pos >= bytes.length) {
        throw dataError('truncated', file, `truncated ${info.format.toUpperCase()} (${i} of ${samples} samples): ${file}`);
      }
      let v = 0;
      while (pos < bytes.length && (bytes[pos] as number) >= 0x30 && (bytes[pos] as number) <= 0x39) v = v * 10 + ((bytes[pos++] as number) - 0x30);
      values[i] = v;
    }
  }
  const data = new Uint8Array(width * height * 3);
  const scale = 255 / maxval;
  for (let i = 0; i < samples; i++) {
    const v = values[i] as number;
    if (v > maxval) throw dataError('corrupt', file, `corrupt ${info.format.toUpperCase()} (sample ${v} above maxval ${maxval}): ${file}`);
    const b = maxval === 255 ? v : Math.round(v * scale);
    if (channels === 1) {
      data[3 * i] = b;
      data[3 * i + 1] = b;
      data[3 * i + 2] = b;
    } else data[i] = b;
  }
  return { width, height, data, info };
}
