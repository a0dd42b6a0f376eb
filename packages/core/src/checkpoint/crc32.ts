/**
 * Table-driven CRC-32 in two polynomials: IEEE (checkpoint files, to detect truncation or
 * corruption) and Castagnoli (CRC-32C, which TFRecord framing — TensorBoard event files — uses).
 */
function table(reversedPolynomial: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? reversedPolynomial ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

function crcWith(t: Uint32Array, bytes: Uint8Array, seed: number): number {
  let c = (seed ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const IEEE = table(0xedb88320);
let castagnoli: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, zlib's `crc32`). */
export function crc32(bytes: Uint8Array, seed = 0): number {
  return crcWith(IEEE, bytes, seed);
}

/**
 * CRC-32C (Castagnoli, reversed polynomial 0x82F63B78), as TFRecord files and TensorBoard event
 * files frame their records with.
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  castagnoli ??= table(0x82f63b78);
  return crcWith(castagnoli, bytes, seed);
}
