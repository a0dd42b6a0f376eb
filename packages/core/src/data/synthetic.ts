import type { BatchRequest, HostBatch, TrainingDataset } from './dataset.js';
import { Rng } from '../random/rng.js';

export interface SyntheticIdentitiesOptions {
  numClasses: number;
  imagesPerClass: number;
  /** Square image side (default 32). */
  inputSize?: number;
  /** Pixel noise std in normalised units (default 0.35): higher is harder. */
  noise?: number;
  seed?: number;
}

/**
 * A built-in synthetic identity set for tests and demos without real faces: each identity is a
 * random smooth "face" pattern (a few Gaussian blobs per channel); each image is that pattern with
 * a random shift, brightness/contrast change, and pixel noise. It is learnable but not trivial;
 * it is NOT face data and says nothing about face-recognition accuracy.
 */
export function syntheticIdentities(options: SyntheticIdentitiesOptions): TrainingDataset & { readonly inputSize: number; image(index: number): Float32Array; label(index: number): number } {
  const size = options.inputSize ?? 32;
  const noise = options.noise ?? 0.35;
  const { numClasses, imagesPerClass } = options;
  const total = numClasses * imagesPerClass;
  const root = Rng.fromSeed(options.seed ?? 7);
  const pixels = size * size * 3;

  // One prototype per identity: 6 coloured Gaussian blobs on a dark background, values in [-1, 1].
  const prototypes: Float32Array[] = [];
  const protoRng = root.fork('prototypes');
  for (let c = 0; c < numClasses; c++) {
    const img = new Float32Array(pixels).fill(-0.6);
    for (let b = 0; b < 6; b++) {
      const cx = protoRng.uniform(0.15, 0.85) * size;
      const cy = protoRng.uniform(0.15, 0.85) * size;
      const sigma = protoRng.uniform(0.06, 0.18) * size;
      const colour = [protoRng.uniform(-1, 1), protoRng.uniform(-1, 1), protoRng.uniform(-1, 1)];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const g = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
          for (let ch = 0; ch < 3; ch++) img[(y * size + x) * 3 + ch] = (img[(y * size + x) * 3 + ch] as number) + g * (colour[ch] as number);
        }
      }
    }
    prototypes.push(img);
  }

  const image = (index: number): Float32Array => {
    const label = Math.floor(index / imagesPerClass);
    const rng = root.fork(`image:${index}`);
    const proto = prototypes[label] as Float32Array;
    const dx = rng.int(5) - 2;
    const dy = rng.int(5) - 2;
    const gain = rng.uniform(0.7, 1.3);
    const bias = rng.uniform(-0.2, 0.2);
    const out = new Float32Array(pixels);
    for (let y = 0; y < size; y++) {
      const sy = Math.min(size - 1, Math.max(0, y + dy));
      for (let x = 0; x < size; x++) {
        const sx = Math.min(size - 1, Math.max(0, x + dx));
        for (let ch = 0; ch < 3; ch++) {
          const v = (proto[(sy * size + sx) * 3 + ch] as number) * gain + bias + rng.normal(0, noise);
          out[(y * size + x) * 3 + ch] = Math.max(-1, Math.min(1, v));
        }
      }
    }
    return out;
  };
  const label = (index: number): number => Math.floor(index / imagesPerClass);

  return {
    numClasses,
    size: total,
    inputSize: size,
    image,
    label,
    async *batches(request: BatchRequest): AsyncIterable<HostBatch> {
      const order = Rng.fromSeed(request.seed).fork(`synthetic-epoch:${request.epoch}`).permutation(total);
      const full = Math.floor(total / request.batchSize);
      const count = request.dropLast ? full : Math.ceil(total / request.batchSize);
      for (let b = request.fromBatch; b < count; b++) {
        const idx = order.subarray(b * request.batchSize, Math.min(total, (b + 1) * request.batchSize));
        const images = new Float32Array(idx.length * pixels);
        const labels = new Int32Array(idx.length);
        idx.forEach((i, k) => {
          images.set(image(i), k * pixels);
          labels[k] = label(i);
        });
        yield { images, labels, shape: [idx.length, size, size, 3], ids: Array.from(idx, (i) => `synthetic#${i}`) };
      }
    },
  };
}
