/**
 * TFRecord framing, as TensorBoard reads event files: per record a little-endian u64 length, the
 * masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.
 */
import { crc32c } from '@fr/core';

/** TensorFlow's CRC mask: rotate right by 15 bits and add a constant (CRCs of CRCs stay useful). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One framed record. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}
