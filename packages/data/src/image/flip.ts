/** Horizontal flips, for augmentation and for the flip-sum embedding of insightface's verification. */
import type { RgbImage } from './types.js';

/**
 * Mirrors an RGB image left↔right.
 *
 * @example
 * ```ts
 * const mirrored = flipImageHorizontal(decodeImage(bytes));
 * ```
 */
export function flipImageHorizontal(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      const s = row + (width - 1 - x) * 3;
      const d = row + x * 3;
      out[d] = data[s] as number;
      out[d + 1] = data[s + 1] as number;
      out[d + 2] = data[s + 2] as number;
    }
  }
  return { width, height, data: out };
}

/**
 * Mirrors every image of an NHWC float batch along the width axis (a new array).
 *
 * @example
 * ```ts
 * // insightface verification: embedding = emb(x) + emb(flip(x))
 * const flipped = flipBatchHorizontal(batch.images, batch.shape);
 * ```
 */
export function flipBatchHorizontal(images: Float32Array, shape: readonly [number, number, number, number]): Float32Array {
  const [n, h, w, c] = shape;
  if (images.length !== n * h * w * c) throw new Error(`flipBatchHorizontal: ${images.length} values do not match shape [${shape.join(', ')}]`);
  const out = new Float32Array(images.length);
  const rowLen = w * c;
  for (let row = 0; row < n * h; row++) {
    const base = row * rowLen;
    for (let x = 0; x < w; x++) {
      const s = base + (w - 1 - x) * c;
      const d = base + x * c;
      for (let k = 0; k < c; k++) out[d + k] = images[s + k] as number;
    }
  }
  return out;
}
