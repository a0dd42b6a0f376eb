/**
 * The amplitude-spectrum mix of one patch (TransFace `FFT.py::amplitude_spectrum_mix`, ratio 1),
 * in plain float64 JavaScript: a direct 2-D DFT of a P×P patch costs 2·P³ complex multiply-adds per
 * channel (1 458 for P = 9), and float64 matches the official numpy code exactly in practice.
 */

/** How a mixed float value becomes a pixel value. */
export type DpapTruncate = 'uint8' | 'round';

/** The result of {@link amplitudeSpectrumMix}, both `(P, P, 3)` row-major (HWC). */
export interface AmplitudeMixResult {
  /** Re(ifft2(A·e^{iφ_src})) before clipping, float64. */
  readonly preClip: Float64Array;
  /** The pixel values written back: clip to [0, 255], then truncate (`uint8`) or round. */
  readonly output: Float64Array;
}

/** Options of {@link amplitudeSpectrumMix}. */
export interface AmplitudeMixOptions {
  /**
   * `uint8` (default, official): `np.uint8(np.clip(v, 0, 255))`, i.e. floor after clipping —
   * even λ ≈ 0 lowers about 30% of the pixels by 1. `round`: round half to even after clipping
   * (an @fr alternative without that downward bias).
   */
  readonly truncate?: DpapTruncate;
}

interface Twiddles {
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

const twiddleCache = new Map<number, Twiddles>();

/** cos/sin(2πk/n) for k = 0..n−1 (exponents are reduced mod n before lookup). */
function twiddles(n: number): Twiddles {
  let t = twiddleCache.get(n);
  if (!t) {
    const cos = new Float64Array(n);
    const sin = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    t = { cos, sin };
    twiddleCache.set(n, t);
  }
  return t;
}

/**
 * Forward 2-D DFT of channel `c` of an HWC patch of side `n`: F[u][v] = Σ f[y][x]·e^{−2πi(uy+vx)/n},
 * written into `re`/`im` (row-major n×n). Row transforms first, then columns.
 */
function dft2(patch: ArrayLike<number>, c: number, n: number, re: Float64Array, im: Float64Array): void {
  const { cos, sin } = twiddles(n);
  const gr = new Float64Array(n * n);
  const gi = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let v = 0; v < n; v++) {
      let sr = 0;
      let si = 0;
      for (let x = 0; x < n; x++) {
        const f = patch[(y * n + x) * 3 + c] as number;
        const k = (v * x) % n;
        sr += f * (cos[k] as number);
        si -= f * (sin[k] as number);
      }
      gr[y * n + v] = sr;
      gi[y * n + v] = si;
    }
  }
  for (let u = 0; u < n; u++) {
    for (let v = 0; v < n; v++) {
      let sr = 0;
      let si = 0;
      for (let y = 0; y < n; y++) {
        const k = (u * y) % n;
        const a = gr[y * n + v] as number;
        const b = gi[y * n + v] as number;
        const co = cos[k] as number;
        const s = sin[k] as number;
        // (a + ib)(cos − i sin)
        sr += a * co + b * s;
        si += b * co - a * s;
      }
      re[u * n + v] = sr;
      im[u * n + v] = si;
    }
  }
}

/** Real part of the inverse 2-D DFT (with the 1/n² factor) of an n×n spectrum. */
function idft2Real(re: Float64Array, im: Float64Array, n: number, out: Float64Array): void {
  const { cos, sin } = twiddles(n);
  const tr = new Float64Array(n * n);
  const ti = new Float64Array(n * n);
  for (let u = 0; u < n; u++) {
    for (let x = 0; x < n; x++) {
      let sr = 0;
      let si = 0;
      for (let v = 0; v < n; v++) {
        const k = (v * x) % n;
        const a = re[u * n + v] as number;
        const b = im[u * n + v] as number;
        const co = cos[k] as number;
        const s = sin[k] as number;
        // (a + ib)(cos + i sin)
        sr += a * co - b * s;
        si += a * s + b * co;
      }
      tr[u * n + x] = sr;
      ti[u * n + x] = si;
    }
  }
  const scale = 1 / (n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sr = 0;
      for (let u = 0; u < n; u++) {
        const k = (u * y) % n;
        sr += (tr[u * n + x] as number) * (cos[k] as number) - (ti[u * n + x] as number) * (sin[k] as number);
      }
      out[y * n + x] = sr * scale;
    }
  }
}

/** Round half to even (numpy / tfjs `round`). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** T(v): clip to [0, 255], then floor (`uint8`) or round half to even (`round`). */
export function toPixel(value: number, truncate: DpapTruncate = 'uint8'): number {
  const clipped = value < 0 ? 0 : value > 255 ? 255 : value;
  if (Number.isNaN(clipped)) return 0;
  return truncate === 'uint8' ? Math.floor(clipped) : roundHalfEven(clipped);
}

/** The side P of a `(P, P, 3)` patch of `length` values, or an error. */
export function patchSide(length: number, owner = 'amplitudeSpectrumMix'): number {
  const n = Math.round(Math.sqrt(length / 3));
  if (n < 1 || n * n * 3 !== length) throw new Error(`${owner}: a patch must be (P, P, 3) values, got ${length}`);
  return n;
}

/**
 * TransFace's amplitude-spectrum mix of one `(P, P, 3)` HWC patch with a donor patch, per channel:
 * A = λ·|F_donor| + (1 − λ)·|F_src| over the whole spectrum (ratio 1, so the fftshift/crop of the
 * official code is a no-op), the source phase φ_src = angle(F_src) kept (angle(0) = 0), then
 * Re(ifft2(A·e^{iφ_src})), clipped to [0, 255] and truncated.
 *
 * @param src Source patch values in [0, 255], HWC row-major.
 * @param donor Donor patch, same shape.
 * @param lambda Mixing weight λ (official: a fresh U(0, 1) draw per patch).
 * @example
 * ```ts
 * const { preClip, output } = amplitudeSpectrumMix(srcPatch, donorPatch, 0.3); // 9·9·3 values each
 * ```
 */
export function amplitudeSpectrumMix(src: ArrayLike<number>, donor: ArrayLike<number>, lambda: number, options: AmplitudeMixOptions = {}): AmplitudeMixResult {
  const n = patchSide(src.length);
  if (donor.length !== src.length) throw new Error(`amplitudeSpectrumMix: the donor has ${donor.length} values, the source ${src.length}`);
  if (!Number.isFinite(lambda)) throw new Error(`amplitudeSpectrumMix: lambda must be finite, got ${lambda}`);
  const truncate = options.truncate ?? 'uint8';
  const nn = n * n;
  const sr = new Float64Array(nn);
  const si = new Float64Array(nn);
  const dr = new Float64Array(nn);
  const di = new Float64Array(nn);
  const yr = new Float64Array(nn);
  const yi = new Float64Array(nn);
  const channel = new Float64Array(nn);
  const preClip = new Float64Array(nn * 3);
  const output = new Float64Array(nn * 3);
  for (let c = 0; c < 3; c++) {
    dft2(src, c, n, sr, si);
    dft2(donor, c, n, dr, di);
    for (let k = 0; k < nn; k++) {
      const a = lambda * Math.hypot(dr[k] as number, di[k] as number) + (1 - lambda) * Math.hypot(sr[k] as number, si[k] as number);
      const phase = Math.atan2(si[k] as number, sr[k] as number);
      yr[k] = a * Math.cos(phase);
      yi[k] = a * Math.sin(phase);
    }
    idft2Real(yr, yi, n, channel);
    for (let k = 0; k < nn; k++) {
      const v = channel[k] as number;
      preClip[k * 3 + c] = v;
      output[k * 3 + c] = toPixel(v, truncate);
    }
  }
  return { preClip, output };
}
