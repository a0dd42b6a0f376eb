/**
 * The DPAP step of TransFace's `train.py` on host data (float64), with every random draw explicit:
 * rank patches by the SE gate's weights, pick the perturbed samples, and mix each dominant patch's
 * amplitude spectrum with a random same-batch donor patch, in place and in order.
 */
import { checkChoice, checkNumber, type RandomSource } from '@fr/core';
import { amplitudeSpectrumMix, type DpapTruncate } from './spectrum.js';

/** The patch grid of a square input: `grid × grid` cells of `patchSize` pixels from the top-left. */
export interface DpapGeometry {
  /** Input side in pixels (112). */
  readonly size: number;
  /** Patch side in pixels (9, the ViT's patch size). */
  readonly patchSize: number;
  /** Cells per side, ⌊size / patchSize⌋ (12 on 112: rows and cols ≥ 108 are never touched). */
  readonly grid: number;
}

/** The grid DPAP works on for a `size`-pixel input cut in `patchSize`-pixel patches. */
export function dpapGeometry(size: number, patchSize = 9): DpapGeometry {
  checkNumber('dpap', 'input size', size, 'positiveInteger');
  checkNumber('dpap', 'patchSize', patchSize, 'positiveInteger');
  const grid = Math.floor(size / patchSize);
  if (grid < 1) throw new Error(`dpap: patchSize ${patchSize} is larger than the ${size}-pixel input`);
  return { size, patchSize, grid };
}

/**
 * Every random draw of one DPAP step, as the official code makes them: `u[b]` (`random.random()`)
 * per sample, then for each perturbed sample and each of its K patches j (row-major `b·K + j`):
 * the donor image (`np.random.randint(0, B)`), the donor cell's row and column
 * (`randint(0, grid)` each) and λ (`np.random.uniform(0, α)`). Rows of samples that are not
 * perturbed are ignored (the official code draws nothing for them).
 */
export interface DpapDraws {
  /** `(B)`: sample b is perturbed iff `u[b] ≤ probability`. */
  readonly u: ArrayLike<number>;
  /** `(B·K)` donor image index in [0, B). */
  readonly donorIndex: ArrayLike<number>;
  /** `(B·K)` donor cell row in [0, grid). */
  readonly donorRow: ArrayLike<number>;
  /** `(B·K)` donor cell column in [0, grid). */
  readonly donorCol: ArrayLike<number>;
  /** `(B·K)` mixing weight λ. */
  readonly lambda: ArrayLike<number>;
}

/** Options shared by {@link dpapBatch}, {@link drawDpap} and the `dpap` plugin. */
export interface DpapBatchOptions {
  /** Dominant patches perturbed per selected sample (official 7). */
  readonly k?: number;
  /** Chance that a sample is perturbed (official 0.2; `u ≤ p`). */
  readonly probability?: number;
  /** Patch side in pixels (official 9: the ViT's patch size). */
  readonly patchSize?: number;
  /** Pixel conversion after the mix (default `uint8`, the official floor). */
  readonly truncate?: DpapTruncate;
}

/** Options of {@link drawDpap}. */
export interface DpapDrawOptions {
  /** Patches per perturbed sample (official 7). */
  readonly k?: number;
  /** Chance that a sample is perturbed (official 0.2). */
  readonly probability?: number;
  /** λ ~ U(0, α) (official α = 1). */
  readonly alpha?: number;
}

/** A batch of images in pixel units [0, 255], NHWC with 3 channels, row-major. */
export interface PixelBatch {
  readonly data: ArrayLike<number>;
  readonly shape: readonly [number, number, number, number];
}

/** One perturbed patch: image `sample`, grid cell `patch` = row·grid + col. */
export interface DpapPatch {
  readonly sample: number;
  readonly patch: number;
  readonly row: number;
  readonly col: number;
}

/** What {@link dpapBatch} did. */
export interface DpapBatchResult {
  /** The perturbed batch (a copy; pixel units), same shape as the input. */
  readonly images: Float64Array;
  /** `(B·K)` row-major: each sample's K dominant cells, by descending weight (ties: lower index). */
  readonly topk: Int32Array;
  /** `(B)`: whether each sample was perturbed. */
  readonly perturbedSamples: readonly boolean[];
  /** The perturbed patches in processing order (sample-major, then rank). */
  readonly perturbed: readonly DpapPatch[];
}

/** {@link DpapBatchOptions} with defaults filled in (internal). */
export interface ResolvedBatchOptions {
  readonly k: number;
  readonly probability: number;
  readonly patchSize: number;
  readonly truncate: DpapTruncate;
}

/** Validates {@link DpapBatchOptions} and fills the official defaults (internal). */
export function resolveBatchOptions(owner: string, options: DpapBatchOptions): ResolvedBatchOptions {
  return {
    k: checkNumber(owner, 'k', options.k ?? 7, 'positiveInteger'),
    probability: checkNumber(owner, 'probability', options.probability ?? 0.2, 'probability'),
    patchSize: checkNumber(owner, 'patchSize', options.patchSize ?? 9, 'positiveInteger'),
    truncate: checkChoice(owner, 'truncate', options.truncate ?? 'uint8', ['uint8', 'round']),
  };
}

/**
 * Draws one step's randomness from `rng` in the official order: for each sample, u; and if
 * u ≤ p, for each of its K patches: donor image, donor row, donor column, λ.
 * @example
 * ```ts
 * const draws = drawDpap(Rng.fromSeed(1), 128, 12, { k: 7, probability: 0.2 });
 * ```
 */
export function drawDpap(rng: RandomSource, batch: number, grid: number, options: DpapDrawOptions = {}): DpapDraws {
  const k = checkNumber('drawDpap', 'k', options.k ?? 7, 'positiveInteger');
  const p = checkNumber('drawDpap', 'probability', options.probability ?? 0.2, 'probability');
  const alpha = checkNumber('drawDpap', 'alpha', options.alpha ?? 1, 'nonNegative');
  checkNumber('drawDpap', 'batch', batch, 'positiveInteger');
  checkNumber('drawDpap', 'grid', grid, 'positiveInteger');
  const u = new Float64Array(batch);
  const donorIndex = new Int32Array(batch * k);
  const donorRow = new Int32Array(batch * k);
  const donorCol = new Int32Array(batch * k);
  const lambda = new Float64Array(batch * k);
  const int = (n: number): number => Math.floor(rng.next() * n);
  for (let b = 0; b < batch; b++) {
    u[b] = rng.next();
    if (!((u[b] as number) <= p)) continue;
    for (let j = 0; j < k; j++) {
      const i = b * k + j;
      donorIndex[i] = int(batch);
      donorRow[i] = int(grid);
      donorCol[i] = int(grid);
      lambda[i] = alpha * rng.next();
    }
  }
  return { u, donorIndex, donorRow, donorCol, lambda };
}

/** Which samples are perturbed (`u[b] ≤ probability`). */
export function perturbedSamplesOf(draws: DpapDraws, batch: number, probability: number): boolean[] {
  return Array.from({ length: batch }, (_, b) => (draws.u[b] as number) <= probability);
}

/**
 * Each sample's `k` highest-weighted cells in descending order (`torch.argsort(descending=True)`;
 * equal weights: lower index first, as `tf.topk`). `weights` is `(B, cells)` row-major.
 */
export function rankPatches(weights: ArrayLike<number>, batch: number, cells: number, k: number): Int32Array {
  if (weights.length !== batch * cells) throw new Error(`dpap: patch weights have ${weights.length} values, expected ${batch}·${cells}`);
  if (k > cells) throw new Error(`dpap: k ${k} exceeds the ${cells} patches per image`);
  const out = new Int32Array(batch * k);
  const order = Array.from({ length: cells }, (_, i) => i);
  for (let b = 0; b < batch; b++) {
    const row = (i: number) => weights[b * cells + i] as number;
    order.sort((x, y) => row(y) - row(x) || x - y);
    for (let j = 0; j < k; j++) out[b * k + j] = order[j] as number;
    order.sort((x, y) => x - y);
  }
  return out;
}

/** Reads and writes the current content of grid cells, `(P, P, 3)` HWC in pixel units. */
export interface CellAccess {
  read(sample: number, row: number, col: number): ArrayLike<number>;
  write(sample: number, row: number, col: number, values: Float64Array): void;
}

/** Throws unless the draws cover the batch and every used draw is in range (internal). */
export function validateDraws(owner: string, draws: DpapDraws, batch: number, k: number, grid: number, perturbed: readonly boolean[]): void {
  if (draws.u.length < batch) throw new Error(`${owner}: draws.u has ${draws.u.length} values for a batch of ${batch}`);
  for (const key of ['donorIndex', 'donorRow', 'donorCol', 'lambda'] as const) {
    if (draws[key].length < batch * k) throw new Error(`${owner}: draws.${key} has ${draws[key].length} values, expected ${batch}·${k}`);
  }
  for (let b = 0; b < batch; b++) {
    if (!perturbed[b]) continue;
    for (let j = 0; j < k; j++) {
      const i = b * k + j;
      const d = draws.donorIndex[i] as number;
      const r = draws.donorRow[i] as number;
      const c = draws.donorCol[i] as number;
      if (!(Number.isInteger(d) && d >= 0 && d < batch)) throw new Error(`${owner}: donorIndex[${b}][${j}] = ${d} is outside [0, ${batch})`);
      if (!(Number.isInteger(r) && r >= 0 && r < grid && Number.isInteger(c) && c >= 0 && c < grid)) {
        throw new Error(`${owner}: donor cell [${r}, ${c}] of draw [${b}][${j}] is outside the ${grid}×${grid} grid`);
      }
      if (!Number.isFinite(draws.lambda[i] as number)) throw new Error(`${owner}: lambda[${b}][${j}] is not finite`);
    }
  }
}

/**
 * The official loop over an abstract cell store: for each perturbed sample in order, for each of
 * its K dominant cells, mix with the donor cell *as it is now* and write back.
 */
export function runDpapLoop(
  geometry: DpapGeometry, batch: number, k: number, topk: Int32Array, perturbedSamples: readonly boolean[],
  draws: DpapDraws, truncate: DpapTruncate, cells: CellAccess,
): DpapPatch[] {
  const { grid } = geometry;
  const done: DpapPatch[] = [];
  for (let b = 0; b < batch; b++) {
    if (!perturbedSamples[b]) continue;
    for (let j = 0; j < k; j++) {
      const i = b * k + j;
      const patch = topk[i] as number;
      const row = Math.floor(patch / grid);
      const col = patch % grid;
      const src = cells.read(b, row, col);
      const donor = cells.read(draws.donorIndex[i] as number, draws.donorRow[i] as number, draws.donorCol[i] as number);
      const { output } = amplitudeSpectrumMix(src, donor, draws.lambda[i] as number, { truncate });
      cells.write(b, row, col, output);
      done.push({ sample: b, patch, row, col });
    }
  }
  return done;
}

/** Copies cell (row, col) of image `b` out of an NHWC array, mapping each value with `map`. */
export function extractCell(data: ArrayLike<number>, geometry: DpapGeometry, b: number, row: number, col: number, map?: (v: number) => number): Float64Array {
  const { size, patchSize: p } = geometry;
  const out = new Float64Array(p * p * 3);
  for (let y = 0; y < p; y++) {
    const base = ((b * size + row * p + y) * size + col * p) * 3;
    for (let x = 0; x < p * 3; x++) {
      const v = data[base + x] as number;
      out[y * p * 3 + x] = map ? map(v) : v;
    }
  }
  return out;
}

/** Writes a `(P, P, 3)` cell into an NHWC array, mapping each value with `map`. */
export function insertCell(data: { [i: number]: number }, geometry: DpapGeometry, b: number, row: number, col: number, values: ArrayLike<number>, map?: (v: number) => number): void {
  const { size, patchSize: p } = geometry;
  for (let y = 0; y < p; y++) {
    const base = ((b * size + row * p + y) * size + col * p) * 3;
    for (let x = 0; x < p * 3; x++) {
      const v = values[y * p * 3 + x] as number;
      data[base + x] = map ? map(v) : v;
    }
  }
}

/** A cell store over a read-only NHWC array with an overlay of written cells. */
export function overlayCells(data: ArrayLike<number>, geometry: DpapGeometry, map?: (v: number) => number): CellAccess & { readonly written: Map<number, Float64Array> } {
  const written = new Map<number, Float64Array>();
  const key = (b: number, row: number, col: number) => (b * geometry.grid + row) * geometry.grid + col;
  return {
    written,
    read: (b, row, col) => written.get(key(b, row, col)) ?? extractCell(data, geometry, b, row, col, map),
    write: (b, row, col, values) => void written.set(key(b, row, col), values),
  };
}

/**
 * TransFace's DPAP step on a batch of de-normalised images, with all randomness given: the
 * official `train.py` loop in float64.
 *
 * - topk[b] = the K largest `patchWeights[b]` (descending);
 * - for b = 0..B−1, if `u[b] ≤ probability`, for j = 0..K−1: cell q = topk[b][j] (row q ÷ grid,
 *   col q mod grid) ← {@link amplitudeSpectrumMix}(cell, donor cell `(donorRow, donorCol)` of image
 *   `donorIndex` read from the batch *as modified so far*, λ), uint8-truncated.
 *
 * Pixels outside the perturbed cells (including rows/cols ≥ grid·patchSize) are copied unchanged.
 *
 * @param images `(B, S, S, 3)` pixel values in [0, 255].
 * @param patchWeights `(B, grid²)` row-major: the SE gate's softmax weights (only their order matters).
 * @param draws Every random draw ({@link drawDpap} makes them from a seeded stream).
 * @example
 * ```ts
 * const draws = drawDpap(Rng.fromSeed(3), 2, 12, { k: 7, probability: 0.2 });
 * const { images: out, perturbed } = dpapBatch({ data: pixels, shape: [2, 112, 112, 3] }, weights, draws);
 * ```
 */
export function dpapBatch(images: PixelBatch, patchWeights: ArrayLike<number>, draws: DpapDraws, options: DpapBatchOptions = {}): DpapBatchResult {
  const o = resolveBatchOptions('dpapBatch', options);
  const [batch, height, width, channels] = images.shape;
  if (images.shape.length !== 4 || channels !== 3 || height !== width) {
    throw new Error(`dpapBatch: images must be (B, S, S, 3), got shape [${images.shape}]`);
  }
  if (images.data.length !== batch * height * width * 3) throw new Error(`dpapBatch: ${images.data.length} values for shape [${images.shape}]`);
  const geometry = dpapGeometry(height, o.patchSize);
  const cellsPerImage = geometry.grid * geometry.grid;
  if (patchWeights.length !== batch * cellsPerImage) {
    throw new Error(`dpapBatch: patch weights have ${patchWeights.length / batch} values per image but a ${height}-pixel input in ${o.patchSize}-pixel patches has ${geometry.grid}×${geometry.grid} = ${cellsPerImage} cells`);
  }
  const topk = rankPatches(patchWeights, batch, cellsPerImage, o.k);
  const perturbedSamples = perturbedSamplesOf(draws, batch, o.probability);
  validateDraws('dpapBatch', draws, batch, o.k, geometry.grid, perturbedSamples);
  const store = overlayCells(images.data, geometry);
  const perturbed = runDpapLoop(geometry, batch, o.k, topk, perturbedSamples, draws, o.truncate, store);
  const out = Float64Array.from(images.data);
  for (const [key, values] of store.written) {
    const b = Math.floor(key / cellsPerImage);
    const cell = key % cellsPerImage;
    insertCell(out, geometry, b, Math.floor(cell / geometry.grid), cell % geometry.grid, values);
  }
  return { images: out, topk, perturbedSamples, perturbed };
}
