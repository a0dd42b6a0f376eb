/**
 * An independent plain-JS reference of the RSP ops, written from torchvision's float-tensor code
 * (`gaussian_blur`, `rgb_to_grayscale`, `adjust_*`, `_rgb2hsv`, `_hsv2rgb`) and timm's
 * RandomErasing. Images are one NHWC sample `(H, W, 3)` as a Float32Array.
 *
 * Grayscale and erasing round every operation to float32 (Math.fround), as PyTorch's float32
 * tensors do, so they can be compared exactly; blur and jitter are float64 (compared to 1e-5).
 * Blur uses the full 2-D kernel (torchvision's form), not the separable one of the implementation.
 */
export interface Image {
  readonly h: number;
  readonly w: number;
  readonly data: Float32Array | Float64Array;
}

const f = Math.fround;
const at = (img: Image, y: number, x: number, c: number): number => img.data[(y * img.w + x) * 3 + c] as number;
const map = (img: Image, fn: (v: number) => number): Image => ({ ...img, data: Float64Array.from(img.data, fn) });

/** x·0.5 + 0.5 → op → (· − 0.5)/0.5, in float64. */
export function viaUnit(img: Image, op: (y: Image) => Image): Image {
  return map(op(map(img, (v) => v * 0.5 + 0.5)), (v) => (v - 0.5) / 0.5);
}

export function refGaussianBlur(img: Image, sigma: number): Image {
  const kernel = (k: number): number[] => {
    const half = (k - 1) / 2;
    const pdf = Array.from({ length: k }, (_, i) => Math.exp(-0.5 * ((i - half) / sigma) ** 2));
    const s = pdf.reduce((a, b) => a + b, 0);
    return pdf.map((v) => v / s);
  };
  const kx = kernel(5);
  const ky = kernel(9);
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const out = new Float64Array(img.h * img.w * 3);
  for (let y = 0; y < img.h; y++) {
    for (let x = 0; x < img.w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let a = 0; a < 9; a++) {
          for (let b = 0; b < 5; b++) acc += (ky[a] as number) * (kx[b] as number) * at(img, reflect(y + a - 4, img.h), reflect(x + b - 2, img.w), c);
        }
        out[(y * img.w + x) * 3 + c] = acc;
      }
    }
  }
  return { ...img, data: out };
}

/** Grayscale(3) on a normalised image, every op rounded to float32 like torch. */
export function refGrayscaleNormalised(img: Image): Float32Array {
  const out = new Float32Array(img.h * img.w * 3);
  for (let p = 0; p < img.h * img.w; p++) {
    const [r, g, b] = [0, 1, 2].map((c) => f(f(f(img.data[p * 3 + c] as number) * 0.5) + 0.5)) as [number, number, number];
    const l = f(f(f(r * f(0.2989)) + f(g * f(0.587))) + f(b * f(0.114)));
    const n = f(f(l - 0.5) / 0.5);
    out.fill(n, p * 3, p * 3 + 3);
  }
  return out;
}

const gray = (img: Image): Float64Array => Float64Array.from({ length: img.h * img.w }, (_, p) => 0.2989 * (img.data[p * 3] as number) + 0.587 * (img.data[p * 3 + 1] as number) + 0.114 * (img.data[p * 3 + 2] as number));
const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

export function refBrightness(img: Image, factor: number): Image {
  return map(img, (v) => clamp01(factor * v));
}

export function refContrast(img: Image, factor: number): Image {
  const g = gray(img);
  const mean = g.reduce((a, b) => a + b, 0) / g.length;
  return map(img, (v) => clamp01(factor * v + (1 - factor) * mean));
}

export function refSaturation(img: Image, factor: number): Image {
  const g = gray(img);
  return { ...img, data: Float64Array.from(img.data, (v, i) => clamp01(factor * v + (1 - factor) * (g[Math.floor(i / 3)] as number))) };
}

/** torchvision _rgb2hsv → (h + factor) mod 1 → _hsv2rgb, per pixel. */
export function refHue(img: Image, factor: number): Image {
  const out = new Float64Array(img.data.length);
  const mod = (a: number, n: number): number => ((a % n) + n) % n;
  for (let p = 0; p < img.h * img.w; p++) {
    const r = img.data[p * 3] as number;
    const g = img.data[p * 3 + 1] as number;
    const b = img.data[p * 3 + 2] as number;
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    const eqc = maxc === minc;
    const cr = maxc - minc;
    const s = cr / (eqc ? 1 : maxc);
    const div = eqc ? 1 : cr;
    const rc = (maxc - r) / div;
    const gc = (maxc - g) / div;
    const bc = (maxc - b) / div;
    let h = 0;
    if (maxc === r) h = bc - gc;
    else if (maxc === g) h = 2 + rc - bc;
    else h = 4 + gc - rc;
    h = mod(h / 6 + 1, 1);
    h = mod(h + factor, 1);
    const v = maxc;
    const i = Math.floor(h * 6);
    const fr = h * 6 - i;
    const pp = clamp01(v * (1 - s));
    const q = clamp01(v * (1 - s * fr));
    const t = clamp01(v * (1 - s * (1 - fr)));
    const rgb = [[v, t, pp], [q, v, pp], [pp, v, t], [pp, q, v], [t, pp, v], [v, pp, q]][mod(i, 6)] as number[];
    out.set(rgb, p * 3);
  }
  return { ...img, data: out };
}

export function refColorJitter(img: Image, draw: { perm: readonly number[]; brightness: number; contrast: number; saturation: number; hue: number }): Image {
  let out = img;
  for (const fn of draw.perm) {
    if (fn === 0) out = refBrightness(out, draw.brightness);
    if (fn === 1) out = refContrast(out, draw.contrast);
    if (fn === 2) out = refSaturation(out, draw.saturation);
    if (fn === 3) out = refHue(out, draw.hue);
  }
  return out;
}

/** timm const RandomErasing: the box set to 0 in every channel. */
export function refErase(img: Image, box: { h: number; w: number; top: number; left: number }): Float32Array {
  const out = Float32Array.from(img.data);
  for (let y = box.top; y < box.top + box.h; y++) {
    for (let x = box.left; x < box.left + box.w; x++) out.fill(0, (y * img.w + x) * 3, (y * img.w + x) * 3 + 3);
  }
  return out;
}
