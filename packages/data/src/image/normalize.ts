/**
 * From 8-bit RGB to the backbone's float input: resize/crop, optional horizontal flip, channel
 * order and pixel normalisation fused into one pass writing straight into a batch buffer.
 */
import { axisTaps, policyCrop, type ResizePolicy } from './resize.js';
import type { RgbImage } from './types.js';

/**
 * Pixel normalisation, as in @fr/core's `Preprocessing`: `minus1to1` is `x/127.5 − 1`
 * (insightface torch, range [−1, 1]); `mxnet` is `(x − 127.5)/128` (insightface MXNet).
 */
export type Normalization = 'minus1to1' | 'mxnet';

/** Channel order of the output (`rgb` unless a backbone was trained on BGR). */
export type ColorOrder = 'rgb' | 'bgr';

/** How one image becomes one `size × size × 3` float sample. */
export interface SampleOptions {
  /** Output side in pixels (the backbone's `inputSize`, e.g. 112). */
  readonly inputSize: number;
  /** Default `stretch`. */
  readonly resize?: ResizePolicy;
  /** Default `minus1to1`. */
  readonly normalization?: Normalization;
  /** Default `rgb`. */
  readonly colorOrder?: ColorOrder;
  /** Mirror left↔right. */
  readonly flip?: boolean;
}

/** Maps a 0..255 value to the normalised float. */
export function normalizer(normalization: Normalization = 'minus1to1'): { scale: number; offset: number } {
  return normalization === 'mxnet' ? { scale: 1 / 128, offset: -127.5 / 128 } : { scale: 1 / 127.5, offset: -1 };
}

/**
 * Writes `image` as one normalised NHWC sample into `out` at element `offset` (which must have
 * room for `inputSize²·3` floats).
 *
 * @example
 * ```ts
 * const batch = new Float32Array(2 * 112 * 112 * 3);
 * writeSample(a, batch, 0, { inputSize: 112 });
 * writeSample(b, batch, 112 * 112 * 3, { inputSize: 112, flip: true });
 * ```
 */
export function writeSample(image: RgbImage, out: Float32Array, offset: number, options: SampleOptions): void {
  const size = options.inputSize;
  const { scale, offset: bias } = normalizer(options.normalization);
  const bgr = options.colorOrder === 'bgr';
  const flip = options.flip === true;
  const src = image.data;
  const r = bgr ? 2 : 0;
  const b = bgr ? 0 : 2;
  if (image.width === size && image.height === size) {
    for (let y = 0; y < size; y++) {
      const row = y * size * 3;
      for (let x = 0; x < size; x++) {
        const s = row + (flip ? size - 1 - x : x) * 3;
        const o = offset + row + x * 3;
        out[o + r] = (src[s] as number) * scale + bias;
        out[o + 1] = (src[s + 1] as number) * scale + bias;
        out[o + b] = (src[s + 2] as number) * scale + bias;
      }
    }
    return;
  }
  const box = policyCrop(image.width, image.height, options.resize ?? 'stretch');
  const xs = axisTaps(box.x, box.width, size);
  const ys = axisTaps(box.y, box.height, size);
  const stride = image.width * 3;
  for (let oy = 0; oy < size; oy++) {
    const r0 = (ys.lo[oy] as number) * stride;
    const r1 = (ys.hi[oy] as number) * stride;
    const wy = ys.w[oy] as number;
    for (let ox = 0; ox < size; ox++) {
      const sx = flip ? size - 1 - ox : ox;
      const c0 = (xs.lo[sx] as number) * 3;
      const c1 = (xs.hi[sx] as number) * 3;
      const wx = xs.w[sx] as number;
      const o = offset + (oy * size + ox) * 3;
      for (let c = 0; c < 3; c++) {
        const p00 = src[r0 + c0 + c] as number;
        const top = p00 + ((src[r0 + c1 + c] as number) - p00) * wx;
        const p10 = src[r1 + c0 + c] as number;
        const bottom = p10 + ((src[r1 + c1 + c] as number) - p10) * wx;
        const v = (top + (bottom - top) * wy) * scale + bias;
        out[o + (c === 0 ? r : c === 2 ? b : 1)] = v;
      }
    }
  }
}

/**
 * One image as a normalised `inputSize × inputSize × 3` Float32Array (HWC).
 *
 * @example
 * ```ts
 * const x = toFloatSample(decodeImage(bytes), { inputSize: 112, normalization: 'mxnet' });
 * ```
 */
export function toFloatSample(image: RgbImage, options: SampleOptions): Float32Array {
  const out = new Float32Array(options.inputSize * options.inputSize * 3);
  writeSample(image, out, 0, options);
  return out;
}
