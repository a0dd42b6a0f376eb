/**
 * The four RSP perturbations as tensor ops on one image `(H, W, 3)` (no read-back: they run on any
 * backend). Ops 0–2 take values in [0, 1] (torchvision's float-tensor formulas); op 3 works on the
 * normalised image directly, as timm's RandomErasing does in the official loop.
 */
import { tf } from '@fr/core';

/** torchvision's luma weights (rgb_to_grayscale). */
export const LUMA = [0.2989, 0.587, 0.114] as const;

/** Kernel of `GaussianBlur(kernel_size=(5, 9))`: width 5, height 9. */
export const BLUR_KERNEL = { width: 5, height: 9 } as const;

/** The normalised 1-D Gaussian kernel exp(−t²/2σ²) / Σ, t = −(k−1)/2 … (k−1)/2 (torchvision). */
export function gaussianKernel1d(size: number, sigma: number): Float64Array {
  const half = (size - 1) / 2;
  const pdf = Float64Array.from({ length: size }, (_, i) => Math.exp(-0.5 * ((i - half) / sigma) ** 2));
  const total = pdf.reduce((a, b) => a + b, 0);
  return pdf.map((v) => v / total);
}

/**
 * torchvision `gaussian_blur(y, kernel_size=[5, 9], sigma=[σ, σ])` on `(H, W, 3)` in [0, 1]:
 * reflect padding (2 columns, 4 rows each side) and the separable kernel, as two depthwise convs.
 * Needs H ≥ 5 and W ≥ 3 (reflect padding must be smaller than the side, as in PyTorch).
 */
export function gaussianBlur(y: tf.Tensor3D, sigma: number): tf.Tensor3D {
  const [h, w, c] = y.shape;
  const { width: kx, height: ky } = BLUR_KERNEL;
  const px = (kx - 1) / 2;
  const py = (ky - 1) / 2;
  if (h <= py || w <= px) throw new Error(`gaussianBlur: a ${kx}×${ky} kernel with reflect padding needs images of at least ${px + 1}×${py + 1} (W×H), got ${w}×${h}`);
  return tf.tidy(() => {
    const vertical = tf.tile(tf.reshape(tf.tensor1d(Float32Array.from(gaussianKernel1d(ky, sigma))), [ky, 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const horizontal = tf.tile(tf.reshape(tf.tensor1d(Float32Array.from(gaussianKernel1d(kx, sigma))), [1, kx, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const padded = tf.mirrorPad(tf.expandDims(y, 0) as tf.Tensor4D, [[0, 0], [py, py], [px, px], [0, 0]], 'reflect');
    const rows = tf.depthwiseConv2d(padded, vertical, 1, 'valid');
    return tf.reshape(tf.depthwiseConv2d(rows, horizontal, 1, 'valid'), [h, w, c]) as tf.Tensor3D;
  });
}

/** torchvision `rgb_to_grayscale`: 0.2989·R + 0.587·G + 0.114·B, `(H, W, 1)`. */
export function luma(y: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [r, g, b] = tf.split(y, 3, -1) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    return tf.add(tf.add(tf.mul(r, LUMA[0]), tf.mul(g, LUMA[1])), tf.mul(b, LUMA[2])) as tf.Tensor3D;
  });
}

/** `Grayscale(num_output_channels=3)`: the luma copied to the three channels. */
export function grayscale(y: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const l = luma(y);
    return tf.concat([l, l, l], -1) as tf.Tensor3D;
  });
}

/** torchvision `_blend`: clamp(ratio·a + (1 − ratio)·b, 0, 1). */
function blend(a: tf.Tensor, b: tf.Tensor, ratio: number): tf.Tensor3D {
  return tf.clipByValue(tf.add(tf.mul(a, ratio), tf.mul(b, 1 - ratio)), 0, 1) as tf.Tensor3D;
}

/** torchvision `adjust_brightness`: clamp(y·factor, 0, 1). */
export function adjustBrightness(y: tf.Tensor3D, factor: number): tf.Tensor3D {
  return tf.tidy(() => blend(y, tf.zerosLike(y), factor));
}

/** torchvision `adjust_contrast`: blend with the mean luma of the whole image. */
export function adjustContrast(y: tf.Tensor3D, factor: number): tf.Tensor3D {
  return tf.tidy(() => blend(y, tf.mean(luma(y)), factor));
}

/** torchvision `adjust_saturation`: blend with the per-pixel luma. */
export function adjustSaturation(y: tf.Tensor3D, factor: number): tf.Tensor3D {
  return tf.tidy(() => blend(y, luma(y), factor));
}

const asFloat = (mask: tf.Tensor): tf.Tensor => tf.cast(mask, 'float32');

/** torchvision `_rgb2hsv` on `(H, W, 3)`: returns h, s, v, each `(H, W, 1)`. */
export function rgbToHsv(y: tf.Tensor3D): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D] {
  return tf.tidy(() => {
    const [r, g, b] = tf.split(y, 3, -1) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const maxc = tf.maximum(tf.maximum(r, g), b);
    const minc = tf.minimum(tf.minimum(r, g), b);
    const eqc = tf.equal(maxc, minc);
    const cr = tf.sub(maxc, minc);
    const ones = tf.onesLike(maxc);
    const s = tf.div(cr, tf.where(eqc, ones, maxc));
    const crDivisor = tf.where(eqc, ones, cr);
    const rc = tf.div(tf.sub(maxc, r), crDivisor);
    const gc = tf.div(tf.sub(maxc, g), crDivisor);
    const bc = tf.div(tf.sub(maxc, b), crDivisor);
    const isR = tf.equal(maxc, r);
    const isG = tf.equal(maxc, g);
    const hr = tf.mul(asFloat(isR), tf.sub(bc, gc));
    const hg = tf.mul(asFloat(tf.logicalAnd(isG, tf.logicalNot(isR))), tf.sub(tf.add(2, rc), bc));
    const hb = tf.mul(asFloat(tf.logicalAnd(tf.logicalNot(isG), tf.logicalNot(isR))), tf.sub(tf.add(4, gc), rc));
    const h = tf.mod(tf.add(tf.div(tf.add(tf.add(hr, hg), hb), 6), 1), 1);
    return [h, s, maxc] as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  });
}

/** torchvision `_hsv2rgb`: h, s, v `(H, W, 1)` → `(H, W, 3)`. */
export function hsvToRgb(h: tf.Tensor3D, s: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const h6 = tf.mul(h, 6);
    const i0 = tf.floor(h6);
    const f = tf.sub(h6, i0);
    const p = tf.clipByValue(tf.mul(v, tf.sub(1, s)), 0, 1);
    const q = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, f))), 0, 1);
    const t = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, tf.sub(1, f)))), 0, 1);
    const i = tf.mod(i0, 6);
    const masks = [0, 1, 2, 3, 4, 5].map((k) => asFloat(tf.equal(i, k)));
    const pick = (values: readonly tf.Tensor[]): tf.Tensor => tf.addN(values.map((value, k) => tf.mul(masks[k] as tf.Tensor, value)));
    return tf.concat([pick([v, q, p, p, t, v]), pick([t, v, v, q, p, p]), pick([p, p, t, v, v, q])], -1) as tf.Tensor3D;
  });
}

/** torchvision `adjust_hue`: RGB → HSV, h ← (h + factor) mod 1, HSV → RGB. */
export function adjustHue(y: tf.Tensor3D, factor: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, s, v] = rgbToHsv(y);
    return hsvToRgb(tf.mod(tf.add(h, factor), 1) as tf.Tensor3D, s, v);
  });
}

/** ColorJitter's factors and order (0 brightness, 1 contrast, 2 saturation, 3 hue). */
export interface ColorJitterDraw {
  readonly perm: readonly number[];
  readonly brightness: number;
  readonly contrast: number;
  readonly saturation: number;
  readonly hue: number;
}

/** torchvision `ColorJitter.forward` with fixed draws: the four adjustments in `perm` order. */
export function colorJitter(y: tf.Tensor3D, draw: ColorJitterDraw): tf.Tensor3D {
  return tf.tidy(() => {
    let out = y;
    for (const fn of draw.perm) {
      if (fn === 0) out = adjustBrightness(out, draw.brightness);
      else if (fn === 1) out = adjustContrast(out, draw.contrast);
      else if (fn === 2) out = adjustSaturation(out, draw.saturation);
      else if (fn === 3) out = adjustHue(out, draw.hue);
      else throw new Error(`colorJitter: perm must be a permutation of 0..3, got [${draw.perm}]`);
    }
    return out;
  });
}

/** A box erased by RandomErasing: rows [top, top + h), columns [left, left + w). */
export interface EraseBox {
  readonly h: number;
  readonly w: number;
  readonly top: number;
  readonly left: number;
}

/** Sets the box to 0 in every channel (timm `mode='const'`: mid-grey in normalised space). */
export function eraseBox(x: tf.Tensor3D, box: EraseBox): tf.Tensor3D {
  const [h, w] = x.shape;
  if (box.h <= 0 || box.w <= 0) return tf.clone(x);
  if (box.top < 0 || box.left < 0 || box.top + box.h > h || box.left + box.w > w) {
    throw new Error(`eraseBox: box ${JSON.stringify(box)} is outside a ${h}×${w} image`);
  }
  return tf.tidy(() => {
    const keep = new Uint8Array(h * w).fill(1);
    for (let r = box.top; r < box.top + box.h; r++) keep.fill(0, r * w + box.left, r * w + box.left + box.w);
    // `where`, not a multiply: the box becomes +0 exactly (x·0 would be −0 for negative x).
    return tf.where(tf.tensor3d(keep, [h, w, 1], 'bool'), x, tf.zerosLike(x)) as tf.Tensor3D;
  });
}
