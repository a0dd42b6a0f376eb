/**
 * Decoder speed: jpeg-js/pngjs (pure JS) against sharp (libvips) on the same encoded files, one
 * at a time (per-core cost) and, for sharp, with many decodes in flight (its thread pool).
 */
import { readFileSync } from 'node:fs';
import { decodeImage, decodeImageAsync } from '../image/decode.js';
import { loadSharp } from '../image/sharp-decoder.js';

/** Rates in images per second (wall clock) and per CPU-second of this process. */
export interface DecoderRate {
  readonly imagesPerSecond: number;
  readonly imagesPerCpuSecond: number;
}

export interface DecoderSpeedResult {
  readonly images: number;
  readonly js: DecoderRate;
  /** Absent when sharp is not installed. */
  readonly sharpSequential?: DecoderRate;
  readonly sharpConcurrent?: DecoderRate;
}

async function rate(n: number, run: () => Promise<void>): Promise<DecoderRate> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  return { imagesPerSecond: n / seconds, imagesPerCpuSecond: n / Math.max(1e-9, (c.user + c.system) / 1e6) };
}

/**
 * Decodes `files` (read into memory first) with each decoder; the first pass warms up.
 *
 * @example
 * ```ts
 * const r = await measureDecoderSpeed(celebaFiles.slice(0, 2000));
 * console.log(r.js.imagesPerCpuSecond, r.sharpSequential?.imagesPerCpuSecond);
 * ```
 */
export async function measureDecoderSpeed(files: readonly string[], concurrency = 64): Promise<DecoderSpeedResult> {
  const buffers = files.map((f) => new Uint8Array(readFileSync(f)));
  const warm = buffers.slice(0, Math.min(50, buffers.length));
  for (const b of warm) decodeImage(b);
  const js = await rate(buffers.length, async () => {
    for (const b of buffers) decodeImage(b);
  });
  if (!(await loadSharp())) return { images: buffers.length, js };
  for (const b of warm) await decodeImageAsync(b, { decoder: 'sharp' });
  const sharpSequential = await rate(buffers.length, async () => {
    for (const b of buffers) await decodeImageAsync(b, { decoder: 'sharp' });
  });
  const sharpConcurrent = await rate(buffers.length, async () => {
    for (let i = 0; i < buffers.length; i += concurrency) await Promise.all(buffers.slice(i, i + concurrency).map((b) => decodeImageAsync(b, { decoder: 'sharp' })));
  });
  return { images: buffers.length, js, sharpSequential, sharpConcurrent };
}
