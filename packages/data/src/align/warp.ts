/**
 * Affine warping with bilinear sampling, with OpenCV `warpAffine` conventions: pixel centres at
 * integer coordinates, `dst(x, y) = src(M⁻¹·(x, y))`, constant border (neighbours outside the
 * source count as `fill`).
 */
import type { RgbImage } from '../image/types.js';
import { invertAffine, type Affine } from './similarity.js';

export interface WarpOptions {
  /** Value of pixels outside the source (default 0, black, as insightface's `cv2.warpAffine`). */
  readonly fill?: number;
}

/**
 * Warps `image` by `m` (a source → destination transform) into a `width × height` image.
 *
 * @example
 * ```ts
 * const out = warpAffine(image, similarityMatrix(0.5, 0, 10, 10), 112, 112);
 * ```
 */
export function warpAffine(image: RgbImage, m: Affine, width: number, height: number, options: WarpOptions = {}): RgbImage {
  const fill = options.fill ?? 0;
  const [a, b, c, d, e, f] = invertAffine(m);
  const { width: w, height: h, data: src } = image;
  const out = new Uint8Array(width * height * 3);
  const px = (x: number, y: number, ch: number): number => (x < 0 || y < 0 || x >= w || y >= h ? fill : (src[(y * w + x) * 3 + ch] as number));
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = a * x + b * y + c;
      const sy = d * x + e * y + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
        const i00 = (y0 * w + x0) * 3;
        const i10 = i00 + 3;
        const i01 = i00 + w * 3;
        const i11 = i01 + 3;
        for (let ch = 0; ch < 3; ch++) {
          const top = (src[i00 + ch] as number) + ((src[i10 + ch] as number) - (src[i00 + ch] as number)) * fx;
          const bottom = (src[i01 + ch] as number) + ((src[i11 + ch] as number) - (src[i01 + ch] as number)) * fx;
          out[o++] = Math.round(top + (bottom - top) * fy);
        }
      } else if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
        out[o++] = fill;
        out[o++] = fill;
        out[o++] = fill;
      } else {
        for (let ch = 0; ch < 3; ch++) {
          const top = px(x0, y0, ch) + (px(x0 + 1, y0, ch) - px(x0, y0, ch)) * fx;
          const bottom = px(x0, y0 + 1, ch) + (px(x0 + 1, y0 + 1, ch) - px(x0, y0 + 1, ch)) * fx;
          out[o++] = Math.round(top + (bottom - top) * fy);
        }
      }
    }
  }
  return { width, height, data: out };
}
