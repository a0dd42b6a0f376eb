/**
 * TopoFR's Gaussian–uniform mixture (`GUM.py::gauss_unif`) in float64, with `train.py`'s sign
 * flip in front. Reproduces numpy/scipy/sklearn's arithmetic step by step (same operation order),
 * so even the iteration count matches the official run.
 */

/** Options of {@link gum}; the defaults are the official values. */
export interface GumOptions {
  /** Flip the sign of indices 0, 2, …, 2·⌊N/2⌋ − 2 first, as `train.py` does (default true). */
  readonly signFlip?: boolean;
  /** Default 1000. */
  readonly maxIterations?: number;
  /** Stop when the sum of densities changes by less than this (default 1e-10). */
  readonly tolerance?: number;
}

/** The fitted mixture and the EM's trace. */
export interface GumResult {
  /** The entropies after the sign flip. */
  readonly entropyFlipped: Float64Array;
  /** sklearn `preprocessing.scale` of `entropyFlipped` (zero mean, unit population std). */
  readonly x: Float64Array;
  /** Posterior of the Gaussian ("easy") component, from the last E-step. */
  readonly gamma: Float64Array;
  /** Gaussian weight π (≤ 0.5), from the last M-step. */
  readonly pi: number;
  /** Gaussian variance σ² (μ = 0 fixed), from the last M-step. */
  readonly sigma2: number;
  /** The uniform component's density c. */
  readonly c: number;
  /** Loop bodies run (1 … maxIterations). */
  readonly nIter: number;
  /** Σ_i (π·φ_i + (1 − π)·c) of the last iteration (the stopping statistic). */
  readonly lastSumDensity: number;
  /** Iterations that took the c = 0.001 branch (|3C₂ − C₁²| < 0.001). */
  readonly smallBranchIters: number;
  /**
   * Iterations where 3C₂ − C₁² ≤ −0.001, which would be sqrt of a negative number (NaN) in the
   * official code; guarded here by taking the c = 0.001 branch too.
   */
  readonly guardedIters: number;
}

const LOG_2PI = Math.log(2 * Math.PI);
/** 10·eps(float64): sklearn's threshold below which a std counts as zero. */
const ZERO_SCALE = 10 * Number.EPSILON;

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s;
}

const mean = (values: ArrayLike<number>): number => sum(values) / values.length;

/** sklearn.preprocessing.scale for one column: (v − mean) / std, std < 10·eps treated as 1. */
export function standardScale(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const m = mean(values);
  const centred = Float64Array.from(values, (v) => v - m);
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (centred[i] as number) * (centred[i] as number);
  let scale = Math.sqrt(sq / n);
  // sklearn re-centres when the centred mean is not ~0 (np.allclose: |·| ≤ 1e-8), before and after scaling.
  const m1 = mean(centred);
  if (!(Math.abs(m1) <= 1e-8)) for (let i = 0; i < n; i++) centred[i] = (centred[i] as number) - m1;
  if (scale < ZERO_SCALE) scale = 1;
  for (let i = 0; i < n; i++) centred[i] = (centred[i] as number) / scale;
  const m2 = mean(centred);
  if (!(Math.abs(m2) <= 1e-8)) for (let i = 0; i < n; i++) centred[i] = (centred[i] as number) - m2;
  return centred;
}

/** `train.py`'s flip: negate indices 0, 2, …, 2·⌊N/2⌋ − 2 (for odd N the last index keeps its sign). */
export function signFlip(entropy: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(entropy);
  const end = 2 * Math.floor(out.length / 2);
  for (let i = 0; i < end; i += 2) out[i] = -(out[i] as number);
  return out;
}

/**
 * Fits TopoFR's 1-D Gaussian–uniform mixture to per-sample prediction entropies, from scratch
 * (nothing is carried between calls, as in the official per-batch refit).
 *
 * x = scale(flip(entropy)); π = 0.1, μ = 0 (fixed), σ² = mean(x²), c = 0.2; then per iteration:
 * φ_i = N(x_i | 0, σ² + 1e−3), γ_i = πφ_i / (πφ_i + (1 − π)c), N₁ = Σγ, σ² = Σγx² / N₁,
 * π = min(N₁/N, 0.5), C₁ = Σ(1−γ)/(1−π+1e−10)·x / N₁, C₂ = Σ(1−γ)/(1−π+1e−10)·x² / N₁,
 * c = 0.001 if |3C₂ − C₁²| < 0.001 else 1 / (2·sqrt(3C₂ − C₁²) + 1e−10) (the official precedence:
 * 3·C₂ − C₁², not 3(C₂ − C₁²)); stop when |Σ(πφ + (1−π)c) − previous| < 1e−10, at most 1000 times.
 *
 * Guards the official code lacks (never reached by its golden inputs): a negative 3C₂ − C₁² takes
 * the 0.001 branch (see `guardedIters`); N₁ = 0 stops the loop (γ = 0 for every sample); non-finite
 * entropies return NaN everywhere.
 * @param entropy raw per-sample entropies (the flip is applied here unless `signFlip: false`)
 * @example
 * ```ts
 * const { gamma, pi } = gum(entropies);
 * const w1 = Array.from(gamma, (g) => 2 - g);
 * ```
 */
export function gum(entropy: ArrayLike<number>, options: GumOptions = {}): GumResult {
  const n = entropy.length;
  if (n === 0) throw new Error('gum: needs at least one entropy');
  const maxIterations = options.maxIterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-10;
  const entropyFlipped = options.signFlip === false ? Float64Array.from(entropy) : signFlip(entropy);
  if (!entropyFlipped.every(Number.isFinite)) {
    const nan = new Float64Array(n).fill(NaN);
    return { entropyFlipped, x: nan.slice(), gamma: nan, pi: NaN, sigma2: NaN, c: NaN, nIter: 0, lastSumDensity: NaN, smallBranchIters: 0, guardedIters: 0 };
  }
  const x = standardScale(entropyFlipped);

  let pi = 0.1;
  let sigma2 = 0;
  for (let i = 0; i < n; i++) sigma2 += (x[i] as number) * (x[i] as number);
  sigma2 = (1 / n) * sigma2;
  let c = 0.2;
  let previous = 0;
  let lastSumDensity = NaN;
  let smallBranchIters = 0;
  let guardedIters = 0;
  let nIter = 0;
  const gamma = new Float64Array(n);
  const phi = new Float64Array(n);

  for (let iter = 0; iter < maxIterations; iter++) {
    nIter = iter + 1;
    // E-step: scipy multivariate_normal(0, σ² + 1e−3).pdf(x) = exp(−½(log 2π + log v + (x/√v)²)).
    const v = sigma2 + 1e-3;
    const logDet = Math.log(v);
    const precision = 1 / Math.sqrt(v);
    for (let i = 0; i < n; i++) {
      const z = (x[i] as number) * precision;
      const p = Math.exp(-0.5 * (LOG_2PI + logDet + z * z));
      phi[i] = p;
      gamma[i] = (p * pi) / (p * pi + (1 - pi) * c);
    }
    // M-step.
    const n1 = sum(gamma);
    if (!(n1 > 0)) break;
    let s = 0;
    for (let i = 0; i < n; i++) s += (gamma[i] as number) * (x[i] as number) * (x[i] as number);
    sigma2 = (1 / n1) * s;
    const piNew = n1 / n;
    pi = piNew <= 0.5 ? piNew : 0.5;
    let c1 = 0;
    let c2 = 0;
    for (let i = 0; i < n; i++) {
      const w = (1 - (gamma[i] as number)) / (1 - pi + 1e-10);
      const xi = x[i] as number;
      c1 += w * xi;
      c2 += w * (xi * xi);
    }
    c1 = (1 / n1) * c1;
    c2 = (1 / n1) * c2;
    const spread = 3 * c2 - c1 * c1;
    if (Math.abs(spread) < 0.001) {
      c = 0.001;
      smallBranchIters++;
    } else if (spread < 0) {
      c = 0.001;
      guardedIters++;
    } else {
      c = 1.0 / (2 * Math.sqrt(spread) + 1e-10);
    }
    // Stopping statistic: Σ(π·φ_i + (1 − π)·c) with this iteration's φ and the new π, c.
    let total = 0;
    for (let i = 0; i < n; i++) total += pi * (phi[i] as number) + (1 - pi) * c;
    lastSumDensity = total;
    if (Math.abs(total - previous) < tolerance) break;
    previous = total;
  }
  return { entropyFlipped, x, gamma, pi, sigma2, c, nIter, lastSumDensity, smallBranchIters, guardedIters };
}
