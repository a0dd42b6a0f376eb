/**
 * Bilinear resizing and square cropping of 8-bit RGB images. Sampling uses half-pixel centres
 * (`src = (dst + 0.5)·scale − 0.5`, edges clamped), the convention of OpenCV's `INTER_LINEAR`
 * and of `tf.image.resizeBilinear(…, halfPixelCenters = true)`.
 */
import type { RgbImage } from './types.js';

/**
 * How a non-square or differently sized image becomes `size × size`:
 * `stretch` resizes the whole image (aspect ratio not kept; right for pre-aligned crops such as
 * ORL's 92×112), `center-crop` takes the largest centred square and resizes that.
 */
export type ResizePolicy = 'stretch' | 'center-crop';

/** A rectangle of source pixels. */
export interface CropBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The source rectangle a policy samples from. */
export function policyCrop(width: number, height: number, policy: ResizePolicy): CropBox {
  if (policy === 'stretch' || width === height) return { x: 0, y: 0, width, height };
  const side = Math.min(width, height);
  return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), width: side, height: side };
}

/** Source coordinates and weights of a 1-D bilinear resampling from `n` to `m` samples. */
export interface AxisTaps {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly w: Float32Array;
}

/** Precomputes the taps of one axis: output `i` reads `lo[i]` and `hi[i]` (offsets from `start`) with weight `w[i]` on `hi`. */
export function axisTaps(start: number, n: number, m: number): AxisTaps {
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  const w = new Float32Array(m);
  const scale = n / m;
  for (let i = 0; i < m; i++) {
    let s = (i + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    if (s > n - 1) s = n - 1;
    const l = Math.floor(s);
    const h = Math.min(l + 1, n - 1);
    lo[i] = start + l;
    hi[i] = start + h;
    w[i] = s - l;
  }
  return { lo, hi, w };
}

/**
 * Resizes (a crop of) an image with bilinear interpolation, rounding to 8 bits.
 *
 * @example
 * ```ts
 * const small = resizeBilinear(image, 112, 112);
 * const square = resizeBilinear(image, 112, 112, policyCrop(image.width, image.height, 'center-crop'));
 * ```
 */
export function resizeBilinear(image: RgbImage, width: number, height: number, crop?: CropBox): RgbImage {
  const box = crop ?? { x: 0, y: 0, width: image.width, height: image.height };
  const src = image.data;
  const out = new Uint8Array(width * height * 3);
  const xs = axisTaps(box.x, box.width, width);
  const ys = axisTaps(box.y, box.height, height);
  const stride = image.width * 3;
  let o = 0;
  for (let oy = 0; oy < height; oy++) {
    const r0 = (ys.lo[oy] as number) * stride;
    const r1 = (ys.hi[oy] as number) * stride;
    const wy = ys.w[oy] as number;
    for (let ox = 0; ox < width; ox++) {
      const c0 = (xs.lo[ox] as number) * 3;
      const c1 = (xs.hi[ox] as number) * 3;
      const wx = xs.w[ox] as number;
      for (let c = 0; c < 3; c++) {
        const top = (src[r0 + c0 + c] as number) + ((src[r0 + c1 + c] as number) - (src[r0 + c0 + c] as number)) * wx;
        const bottom = (src[r1 + c0 + c] as number) + ((src[r1 + c1 + c] as number) - (src[r1 + c0 + c] as number)) * wx;
        out[o++] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return { width, height, data: out };
}

/**
 * Makes a `size × size` image under `policy` (a no-op copy-free return when it already is).
 *
 * @example
 * ```ts
 * const face = fitSquare(decodeImage(bytes), 112, 'center-crop');
 * ```
 */
export function fitSquare(image: RgbImage, size: number, policy: ResizePolicy = 'stretch'): RgbImage {
  if (image.width === size && image.height === size) return image;
  return resizeBilinear(image, size, size, policyCrop(image.width, image.height, policy));
}
