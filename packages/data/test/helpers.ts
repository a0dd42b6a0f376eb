/** Test fixtures: temp folders, image writers (JPEG via jpeg-js, PNG/PGM by hand), shared data lookup. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { encodeJpeg, type CliIo } from '@fr/data';

/** The repository root (packages/data/test → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `node --import` this file: @vladmandic/face-api cannot be resolved in that process (as without the optional detector). */
export const WITHOUT_FACE_API = fileURLToPath(new URL('./fixtures/without-face-api.mjs', import.meta.url));

/** The shared real data: $FR_DATA_DIR, else the repo root's ../shared/data. */
export const SHARED_DATA = process.env.FR_DATA_DIR ?? resolve(REPO_ROOT, '../shared/data');

/** Whether `sub` exists under the shared data folder; logs why a test is skipped otherwise. */
export function sharedData(sub: string): string | undefined {
  const p = join(SHARED_DATA, sub);
  if (existsSync(p)) return p;
  console.warn(`[fr/data tests] skipping: ${p} not found (set FR_DATA_DIR to the folder holding celeba-crops/ and orl-faces/)`);
  return undefined;
}

export function hasPython(): boolean {
  return spawnSync('python3', ['-c', 'import pickle'], { stdio: 'ignore' }).status === 0;
}

/** Runs a Python snippet; returns stdout (throws with stderr on failure). */
export function python(code: string, args: string[] = []): string {
  const r = spawnSync('python3', ['-c', code, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout;
}

/** CLI streams writing into strings (`tty` makes both look like a terminal). */
export function io(tty = false): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: tty },
    stderr: { write: (s: string) => (err += s), isTTY: tty, columns: 100 },
    out: () => out,
    err: () => err,
  };
}

/**
 * Runs the `fr-data` executable in a child process (its bin runs the TypeScript sources through
 * tsx in a checkout); `nodeArgs` go before the bin (e.g. more `--import`s) and reach the CLI.
 */
export function runCliProcess(args: readonly string[], nodeArgs: readonly string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, join(REPO_ROOT, 'packages/data/bin/fr-data.js'), ...args], { encoding: 'utf8', cwd: REPO_ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const temps: string[] = [];
/** A fresh temp folder, removed by {@link cleanupTemps}. */
export function tempDir(prefix = 'fr-data-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function writeFile(path: string, bytes: Uint8Array | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** A deterministic RGB test pattern; `seed` varies it. */
export function pattern(width: number, height: number, seed = 0): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 7 + seed * 31) & 255;
      data[i + 1] = (y * 5 + seed * 17) & 255;
      data[i + 2] = ((x + y) * 3 + seed * 11) & 255;
    }
  }
  return data;
}

/** A JPEG (quality 95) of `pattern(w, h, seed)` or of flat colour `rgb`. */
export function jpegBytes(width: number, height: number, seed = 0, rgb?: [number, number, number]): Uint8Array {
  const data = rgb ? new Uint8Array(width * height * 3).map((_, i) => rgb[i % 3] as number) : pattern(width, height, seed);
  return encodeJpeg({ width, height, data }, 95);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 255] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * A PNG written by hand (filter 0 rows): `samples` holds `width·height·channels` values of
 * `bitDepth` bits (channels from the colour type: 0→1, 2→3, 3→1 index, 4→2, 6→4).
 */
export function pngBytes(opts: { width: number; height: number; colorType: 0 | 2 | 3 | 4 | 6; bitDepth: 1 | 2 | 4 | 8 | 16; samples: ArrayLike<number>; palette?: [number, number, number][]; trns?: Uint8Array }): Uint8Array {
  const { width, height, colorType, bitDepth, samples } = opts;
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  const rowBytes = Math.ceil((width * channels * bitDepth) / 8);
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (rowBytes + 1) + 1;
    for (let x = 0; x < width * channels; x++) {
      const v = samples[y * width * channels + x] as number;
      if (bitDepth === 16) {
        raw[row + 2 * x] = v >> 8;
        raw[row + 2 * x + 1] = v & 255;
      } else if (bitDepth === 8) raw[row + x] = v;
      else {
        const bit = x * bitDepth;
        raw[row + (bit >> 3)] = (raw[row + (bit >> 3)] as number) | (v << (8 - bitDepth - (bit & 7)));
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (opts.palette) parts.push(chunk('PLTE', Uint8Array.from(opts.palette.flat())));
  if (opts.trns) parts.push(chunk('tRNS', opts.trns));
  parts.push(chunk('IDAT', new Uint8Array(deflateSync(raw))), chunk('IEND', new Uint8Array(0)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A PGM (P5 binary or P2 text) or PPM (P6/P3), 8- or 16-bit by `maxval`. */
export function netpbmBytes(opts: { magic: 'P2' | 'P5' | 'P3' | 'P6'; width: number; height: number; maxval: number; samples: ArrayLike<number>; comment?: string }): Uint8Array {
  const { magic, width, height, maxval, samples } = opts;
  const header = `${magic}\n${opts.comment ? `# ${opts.comment}\n` : ''}${width} ${height}\n${maxval}\n`;
  if (magic === 'P2' || magic === 'P3') return new TextEncoder().encode(header + Array.from(samples).join(' ') + '\n');
  const wide = maxval > 255;
  const body = new Uint8Array(samples.length * (wide ? 2 : 1));
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as number;
    if (wide) {
      body[2 * i] = s >> 8;
      body[2 * i + 1] = s & 255;
    } else body[i] = s;
  }
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(h.length + body.length);
  out.set(h);
  out.set(body, h.length);
  return out;
}

type Sharp = (typeof import('sharp'))['default'];

/** sharp, when installed (for grey/CMYK JPEG fixtures and decoder comparisons). */
export async function loadSharpForTests(): Promise<Sharp | undefined> {
  try {
    return (await import('sharp')).default;
  } catch {
    return undefined;
  }
}

/**
 * An ImageFolder fixture: `spec[identity] = number of images` (JPEG 24×24, distinct patterns).
 * Returns the root.
 */
export function imageFolder(root: string, spec: Record<string, number>, size = 24): string {
  let seed = 1;
  for (const [id, n] of Object.entries(spec)) {
    mkdirSync(join(root, id), { recursive: true });
    for (let i = 0; i < n; i++) writeFile(join(root, id, `${String(i).padStart(3, '0')}.jpg`), jpegBytes(size, size, seed++));
  }
  return root;
}

/** A silent log sink that records lines. */
export function recorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (l) => lines.push(l) };
}
