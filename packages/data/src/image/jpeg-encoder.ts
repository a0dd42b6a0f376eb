/**
 * A baseline JPEG encoder (JFIF, YCbCr 4:2:0, the standard Annex K quantisation and Huffman
 * tables scaled by the IJG quality formula). Written here because jpeg-js rebuilds ~65k lookup
 * arrays on every call (≈100 ms per image, whatever its size); this encoder builds its tables
 * (Huffman) once and encodes a 112×112 face in about a millisecond.
 */
import type { RgbImage } from './types.js';

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52,
  45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
  92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

// Annex K.3 Huffman tables: code counts per length (1..16) and symbols.
const DC_LUMA_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_LUMA_VALS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const DC_CHROMA_BITS = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const DC_CHROMA_VALS = DC_LUMA_VALS;
const AC_LUMA_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_LUMA_VALS = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
  0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
  0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
  0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
  0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa,
];
const AC_CHROMA_BITS = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
const AC_CHROMA_VALS = [
  0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
  0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
  0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
  0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
  0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa,
];

interface HuffmanTable {
  readonly code: Uint16Array;
  readonly length: Uint8Array;
}

function buildHuffman(bits: readonly number[], values: readonly number[]): HuffmanTable {
  const code = new Uint16Array(256);
  const length = new Uint8Array(256);
  let c = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < (bits[len - 1] as number); i++) {
      const v = values[k++] as number;
      code[v] = c++;
      length[v] = len;
    }
    c <<= 1;
  }
  return { code, length };
}

const HUFFMAN = {
  dcLuma: buildHuffman(DC_LUMA_BITS, DC_LUMA_VALS),
  acLuma: buildHuffman(AC_LUMA_BITS, AC_LUMA_VALS),
  dcChroma: buildHuffman(DC_CHROMA_BITS, DC_CHROMA_VALS),
  acChroma: buildHuffman(AC_CHROMA_BITS, AC_CHROMA_VALS),
};

// cos((2x + 1)·u·π/16) · C(u)/2, the 1-D DCT-II basis.
const DCT_BASIS = (() => {
  const t = new Float64Array(64);
  for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++) t[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return t;
})();

/** The IJG-scaled quantisation table (natural order). */
function scaledTable(base: readonly number[], quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return Uint8Array.from(base, (v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

class BitWriter {
  private buf = new Uint8Array(1 << 14);
  private len = 0;
  private acc = 0;
  private count = 0;

  byte(b: number): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = b;
  }

  bytes(bs: ArrayLike<number>): void {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i] as number);
  }

  u16(v: number): void {
    this.byte(v >> 8);
    this.byte(v & 255);
  }

  /** Appends the low `length` (≤ 16) bits of `value`, most significant first. */
  bits(value: number, length: number): void {
    this.acc = (this.acc << length) | (value & ((1 << length) - 1));
    this.count += length;
    while (this.count >= 8) {
      this.count -= 8;
      const b = (this.acc >>> this.count) & 0xff;
      this.byte(b);
      if (b === 0xff) this.byte(0); // byte stuffing
    }
    this.acc &= (1 << this.count) - 1;
  }

  flushBits(): void {
    if (this.count > 0) this.bits((1 << (8 - this.count)) - 1, 8 - this.count); // pad with 1s
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function category(v: number): number {
  let a = Math.abs(v);
  let n = 0;
  while (a > 0) {
    a >>= 1;
    n++;
  }
  return n;
}

function writeValue(w: BitWriter, v: number, size: number): void {
  if (size > 0) w.bits(v < 0 ? v + (1 << size) - 1 : v, size);
}

/** Forward DCT, quantisation and Huffman coding of one 8×8 block; returns the new DC predictor. */
function encodeBlock(w: BitWriter, block: Float64Array, quant: Uint8Array, prevDc: number, dc: HuffmanTable, ac: HuffmanTable, tmp: Float64Array, coef: Int32Array): number {
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < 8; x++) s += (block[y * 8 + x] as number) * (DCT_BASIS[u * 8 + x] as number);
      tmp[y * 8 + u] = s;
    }
  }
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let s = 0;
      for (let y = 0; y < 8; y++) s += (tmp[y * 8 + u] as number) * (DCT_BASIS[v * 8 + y] as number);
      coef[v * 8 + u] = Math.round(s / (quant[v * 8 + u] as number));
    }
  }
  const dcValue = coef[0] as number;
  const diff = dcValue - prevDc;
  const dcSize = category(diff);
  w.bits(dc.code[dcSize] as number, dc.length[dcSize] as number);
  writeValue(w, diff, dcSize);
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const v = coef[ZIGZAG[k] as number] as number;
    if (v === 0) {
      run++;
      continue;
    }
    while (run > 15) {
      w.bits(ac.code[0xf0] as number, ac.length[0xf0] as number);
      run -= 16;
    }
    const size = category(v);
    const sym = (run << 4) | size;
    w.bits(ac.code[sym] as number, ac.length[sym] as number);
    writeValue(w, v, size);
    run = 0;
  }
  if (run > 0) w.bits(ac.code[0] as number, ac.length[0] as number);
  return dcValue;
}

function writeHuffmanTable(w: BitWriter, cls: number, id: number, bits: readonly number[], values: readonly number[]): void {
  w.byte((cls << 4) | id);
  w.bytes(bits);
  w.bytes(values);
}

/**
 * Encodes 8-bit RGB as a baseline JFIF JPEG with 4:2:0 chroma subsampling.
 *
 * @example
 * ```ts
 * writeFileSync('face.jpg', encodeJpeg(alignFace(image, landmarks), 95));
 * ```
 */
export function encodeJpeg(image: RgbImage, quality = 95): Uint8Array {
  const { width, height, data } = image;
  if (!(width > 0 && height > 0 && width < 65536 && height < 65536)) throw new Error(`encodeJpeg: bad size ${width}x${height}`);
  if (data.length !== width * height * 3) throw new Error(`encodeJpeg: ${data.length} bytes for ${width}x${height} RGB`);
  const qY = scaledTable(LUMA_Q, quality);
  const qC = scaledTable(CHROMA_Q, quality);
  const w = new BitWriter();
  w.u16(0xffd8);
  w.u16(0xffe0); // APP0 JFIF
  w.u16(16);
  w.bytes([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  w.u16(0xffdb); // DQT, tables in zigzag order
  w.u16(2 + 2 * 65);
  w.byte(0);
  for (let k = 0; k < 64; k++) w.byte(qY[ZIGZAG[k] as number] as number);
  w.byte(1);
  for (let k = 0; k < 64; k++) w.byte(qC[ZIGZAG[k] as number] as number);
  w.u16(0xffc0); // SOF0
  w.u16(17);
  w.byte(8);
  w.u16(height);
  w.u16(width);
  w.byte(3);
  w.bytes([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  w.u16(0xffc4); // DHT
  w.u16(2 + 4 * 17 + DC_LUMA_VALS.length + AC_LUMA_VALS.length + DC_CHROMA_VALS.length + AC_CHROMA_VALS.length);
  writeHuffmanTable(w, 0, 0, DC_LUMA_BITS, DC_LUMA_VALS);
  writeHuffmanTable(w, 1, 0, AC_LUMA_BITS, AC_LUMA_VALS);
  writeHuffmanTable(w, 0, 1, DC_CHROMA_BITS, DC_CHROMA_VALS);
  writeHuffmanTable(w, 1, 1, AC_CHROMA_BITS, AC_CHROMA_VALS);
  w.u16(0xffda); // SOS
  w.u16(12);
  w.bytes([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);

  const block = new Float64Array(64);
  const cb = new Float64Array(64);
  const cr = new Float64Array(64);
  const tmp = new Float64Array(64);
  const coef = new Int32Array(64);
  let dcY = 0;
  let dcCb = 0;
  let dcCr = 0;
  const pixel = (x: number, y: number): number => (Math.min(y, height - 1) * width + Math.min(x, width - 1)) * 3;
  for (let my = 0; my < height; my += 16) {
    for (let mx = 0; mx < width; mx += 16) {
      cb.fill(0);
      cr.fill(0);
      for (let by = 0; by < 2; by++) {
        for (let bx = 0; bx < 2; bx++) {
          for (let y = 0; y < 8; y++) {
            for (let x = 0; x < 8; x++) {
              const px = mx + bx * 8 + x;
              const py = my + by * 8 + y;
              const i = pixel(px, py);
              const r = data[i] as number;
              const g = data[i + 1] as number;
              const b = data[i + 2] as number;
              block[y * 8 + x] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
              const c = ((by * 8 + y) >> 1) * 8 + ((bx * 8 + x) >> 1);
              cb[c] = (cb[c] as number) + 0.25 * (-0.168736 * r - 0.331264 * g + 0.5 * b);
              cr[c] = (cr[c] as number) + 0.25 * (0.5 * r - 0.418688 * g - 0.081312 * b);
            }
          }
          dcY = encodeBlock(w, block, qY, dcY, HUFFMAN.dcLuma, HUFFMAN.acLuma, tmp, coef);
        }
      }
      dcCb = encodeBlock(w, cb, qC, dcCb, HUFFMAN.dcChroma, HUFFMAN.acChroma, tmp, coef);
      dcCr = encodeBlock(w, cr, qC, dcCr, HUFFMAN.dcChroma, HUFFMAN.acChroma, tmp, coef);
    }
  }
  w.flushBits();
  w.u16(0xffd9);
  return w.result();
}
