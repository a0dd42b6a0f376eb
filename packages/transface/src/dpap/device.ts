/**
 * DPAP with tensor ops only, for backends that cannot read device memory synchronously (WebGPU in
 * Node) or where a read-back would stall the pipeline (WebGL, WebGPU in browsers).
 *
 * Only the ranking of patches depends on device data; every random draw is made on the host
 * beforehand, so the host knows which samples are perturbed, which donor cell each mix reads and
 * every λ — but not which cell each mix writes. The in-place order of the official loop ("a donor
 * may already be perturbed") is kept exactly by a fixed-point iteration:
 *
 * - mix m reads its donor cell as written by the unique earlier mix whose source is that cell, if
 *   any (a cell is written at most once: the K dominant cells of a sample are distinct); that
 *   "parent" is found on the device by comparing the donor cell with the donor sample's top-K;
 * - iteration t recomputes every mix with donors from iteration t − 1, so after t iterations every
 *   mix whose parent chain has length ≤ t is exact;
 * - the host bounds the chain length from the draws alone (a parent can only be an earlier mix of
 *   the donor sample), and runs that many iterations: the result equals the sequential loop.
 *
 * The 2-D DFT of a P×P patch is a product with P²×P² cosine and sine matrices, in float32: compared
 * with the float64 host path, a pixel whose mixed value lies within float32 error of an integer may
 * truncate to the neighbouring value (the golden file's float32 tolerance: ±1 on ≤ 2% of pixels).
 */
import { tf } from '@fr/core';
import {
  dpapGeometry, perturbedSamplesOf, resolveBatchOptions, validateDraws, type DpapBatchOptions, type DpapDraws, type DpapGeometry,
} from './batch.js';

/** The result of {@link dpapBatchTensor}. */
export interface DpapTensorResult {
  /** `(B, S, S, 3)` the perturbed batch in pixel units. */
  readonly images: tf.Tensor4D;
  /** `(B, S, S, 1)` 1 where a pixel belongs to a perturbed cell, else 0. */
  readonly changed: tf.Tensor4D;
  /** `(B)` whether each sample was perturbed (known on the host from the draws). */
  readonly perturbedSamples: readonly boolean[];
  /** Fixed-point iterations run (the host's bound on the longest donor chain). */
  readonly iterations: number;
}

interface DftMatrices {
  readonly cos: tf.Tensor2D;
  readonly sin: tf.Tensor2D;
}

/** P²×P² matrices cos/sin(2π(u·y + v·x)/P), symmetric, built per call (they are small). */
function dftMatrices(p: number): DftMatrices {
  const n = p * p;
  const c = new Float32Array(n * n);
  const s = new Float32Array(n * n);
  for (let y = 0; y < p; y++) {
    for (let x = 0; x < p; x++) {
      for (let u = 0; u < p; u++) {
        for (let v = 0; v < p; v++) {
          const k = (u * y + v * x) % p;
          const i = (y * p + x) * n + (u * p + v);
          c[i] = Math.cos((2 * Math.PI * k) / p);
          s[i] = Math.sin((2 * Math.PI * k) / p);
        }
      }
    }
  }
  return { cos: tf.tensor2d(c, [n, n]), sin: tf.tensor2d(s, [n, n]) };
}

/** `(B, S, S, C)` → `(B, grid², P·P·C)` cells of the covered top-left region. */
function toCells(x: tf.Tensor4D, g: DpapGeometry): tf.Tensor3D {
  const [b, , , ch] = x.shape;
  const { grid, patchSize: p } = g;
  const r = grid * p;
  const region = r === g.size ? x : tf.slice(x, [0, 0, 0, 0], [b, r, r, ch]);
  const six = tf.reshape(region, [b, grid, p, grid, p, ch]);
  return tf.reshape(tf.transpose(six, [0, 1, 3, 2, 4, 5]), [b, grid * grid, p * p * ch]) as tf.Tensor3D;
}

/** Inverse of {@link toCells}; the band beyond the grid is taken from `band`. */
function fromCells(cells: tf.Tensor3D, g: DpapGeometry, ch: number, band: tf.Tensor4D): tf.Tensor4D {
  const b = cells.shape[0];
  const { grid, patchSize: p, size } = g;
  const r = grid * p;
  const region = tf.reshape(tf.transpose(tf.reshape(cells, [b, grid, grid, p, p, ch]), [0, 1, 3, 2, 4, 5]), [b, r, r, ch]) as tf.Tensor4D;
  if (r === size) return region;
  const top = tf.concat([region, tf.slice(band, [0, 0, r, 0], [b, r, size - r, ch])], 2);
  return tf.concat([top, tf.slice(band, [0, r, 0, 0], [b, size - r, size, ch])], 1) as tf.Tensor4D;
}

/**
 * Host bound on the donor-chain length of each mix, from the draws only: a mix's parent can only
 * be an earlier mix of its donor sample (every one of them for an earlier sample, the earlier
 * ranks for the same sample). Returns the longest chain (≥ 1).
 */
export function donorChainBound(perturbed: readonly boolean[], draws: DpapDraws, k: number): number {
  const batch = perturbed.length;
  const sampleMax = new Int32Array(batch); // longest bound among a finished sample's mixes
  let longest = 1;
  for (let b = 0; b < batch; b++) {
    if (!perturbed[b]) continue;
    let ownMax = 0;
    for (let j = 0; j < k; j++) {
      const d = draws.donorIndex[b * k + j] as number;
      let parent = 0;
      if (perturbed[d] && d < b) parent = sampleMax[d] as number;
      else if (d === b) parent = ownMax;
      const depth = parent + 1;
      ownMax = Math.max(ownMax, depth);
      longest = Math.max(longest, depth);
    }
    sampleMax[b] = ownMax;
  }
  return longest;
}

/**
 * DPAP on a batch tensor in pixel units with the same semantics as `dpapBatch` (see the module
 * notes), without reading anything back from the device.
 *
 * @param images `(B, S, S, 3)` float pixel values in [0, 255].
 * @param patchWeights `(B, grid²)` the SE gate's weights; ranked on the device with `tf.topk`.
 * @param draws Host draws ({@link drawDpap}); they decide which samples are perturbed.
 * @example
 * ```ts
 * const { images: out, changed } = dpapBatchTensor(pixels, aux.patchWeights as tf.Tensor2D, draws, { k: 7 });
 * ```
 */
export function dpapBatchTensor(images: tf.Tensor4D, patchWeights: tf.Tensor2D, draws: DpapDraws, options: DpapBatchOptions = {}): DpapTensorResult {
  const o = resolveBatchOptions('dpapBatchTensor', options);
  const [batch, height, width, channels] = images.shape;
  if (channels !== 3 || height !== width) throw new Error(`dpapBatchTensor: images must be (B, S, S, 3), got shape [${images.shape}]`);
  const g = dpapGeometry(height, o.patchSize);
  const cellsPerImage = g.grid * g.grid;
  if (patchWeights.rank !== 2 || patchWeights.shape[0] !== batch || patchWeights.shape[1] !== cellsPerImage) {
    throw new Error(`dpapBatchTensor: patch weights have shape [${patchWeights.shape}] but a ${height}-pixel input in ${o.patchSize}-pixel patches needs [${batch}, ${cellsPerImage}] (${g.grid}×${g.grid} cells)`);
  }
  if (o.k > cellsPerImage) throw new Error(`dpapBatchTensor: k ${o.k} exceeds the ${cellsPerImage} patches per image`);
  const perturbedSamples = perturbedSamplesOf(draws, batch, o.probability);
  validateDraws('dpapBatchTensor', draws, batch, o.k, g.grid, perturbedSamples);
  const samples = perturbedSamples.flatMap((on, b) => (on ? [b] : []));
  if (samples.length === 0) {
    return { images: tf.clone(images), changed: tf.zeros([batch, height, width, 1]) as tf.Tensor4D, perturbedSamples, iterations: 0 };
  }
  const iterations = donorChainBound(perturbedSamples, draws, o.k);
  const result = tf.tidy(() => {
    const k = o.k;
    const nPert = samples.length;
    const mixes = nPert * k;
    const p = g.patchSize;
    const nn = p * p;
    const cellValues = nn * 3;
    const position = new Int32Array(batch).fill(-1);
    samples.forEach((b, i) => (position[b] = i));

    // Host-known geometry of every mix m = i·K + j (i-th perturbed sample, rank j).
    const donorCellIndex = new Int32Array(mixes); // flat cell in (B·grid²)
    const donorCell = new Int32Array(mixes); // cell within the donor image
    const donorPosition = new Int32Array(mixes); // the donor sample's index among perturbed ones (0 if none)
    const lambda = new Float32Array(mixes * 3);
    const parentAllowed = new Float32Array(mixes * k);
    samples.forEach((b, i) => {
      for (let j = 0; j < k; j++) {
        const m = i * k + j;
        const d = draws.donorIndex[b * k + j] as number;
        const cell = (draws.donorRow[b * k + j] as number) * g.grid + (draws.donorCol[b * k + j] as number);
        donorCell[m] = cell;
        donorCellIndex[m] = d * cellsPerImage + cell;
        donorPosition[m] = Math.max(position[d] as number, 0);
        lambda.fill(draws.lambda[b * k + j] as number, m * 3, m * 3 + 3);
        if ((position[d] as number) >= 0) for (let jj = 0; jj < k; jj++) if (d < b || (d === b && jj < j)) parentAllowed[m * k + jj] = 1;
      }
    });

    const { cos, sin } = dftMatrices(p);
    const cells = toCells(images, g);
    const flatCells = tf.reshape(cells, [batch * cellsPerImage, cellValues]) as tf.Tensor2D;
    const topk = tf.topk(patchWeights, k, true).indices as tf.Tensor2D; // (B, K) on the device
    const topkPert = tf.gather(topk, Int32Array.from(samples)) as tf.Tensor2D; // (nPert, K)
    const offsets = tf.tensor2d(Int32Array.from(samples, (b) => b * cellsPerImage), [nPert, 1], 'int32');
    const srcIndex = tf.reshape(tf.add(topkPert, offsets), [mixes]) as tf.Tensor1D;
    const src = tf.gather(flatCells, srcIndex) as tf.Tensor2D; // (M, P²·3)
    const donorOriginal = tf.gather(flatCells, donorCellIndex) as tf.Tensor2D;

    // parent[m, j'] = 1 iff mix (donor sample, j') is earlier than m and writes m's donor cell.
    const candidates = tf.gather(topkPert, donorPosition); // (M, K)
    const parent = tf.mul(
      tf.cast(tf.equal(candidates, tf.tensor2d(donorCell, [mixes, 1], 'int32')), 'float32'),
      tf.tensor2d(parentAllowed, [mixes, k]),
    ) as tf.Tensor2D;
    const orphan = tf.sub(1, tf.sum(parent, 1, true)); // (M, 1): 1 where the donor is read untouched

    // Channels to rows: (M, P²·3) → (M·3, P²).
    const toRows = (x: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(x, [mixes, nn, 3]), [0, 2, 1]), [mixes * 3, nn]) as tf.Tensor2D;
    const fromRows = (x: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(x, [mixes, 3, nn]), [0, 2, 1]), [mixes, cellValues]) as tf.Tensor2D;
    const amplitude = (re: tf.Tensor, im: tf.Tensor) => tf.sqrt(tf.add(tf.square(re), tf.square(im)));
    const srcRows = toRows(src);
    const srcRe = tf.matMul(srcRows, cos);
    const srcIm = tf.neg(tf.matMul(srcRows, sin));
    const srcAmp = amplitude(srcRe, srcIm);
    const phase = tf.atan2(srcIm, srcRe);
    const phaseCos = tf.cos(phase);
    const phaseSin = tf.sin(phase);
    const lam = tf.tensor2d(lambda, [mixes * 3, 1]);
    const keep = tf.sub(1, lam);
    const mix = (donor: tf.Tensor2D): tf.Tensor2D => tf.tidy(() => {
      const rows = toRows(donor);
      const donorAmp = amplitude(tf.matMul(rows, cos), tf.matMul(rows, sin));
      const a = tf.add(tf.mul(lam, donorAmp), tf.mul(keep, srcAmp));
      const re = tf.mul(a, phaseCos);
      const im = tf.mul(a, phaseSin);
      const pixels = tf.div(tf.sub(tf.matMul(re, cos), tf.matMul(im, sin)), nn);
      const clipped = tf.clipByValue(pixels, 0, 255);
      return fromRows((o.truncate === 'uint8' ? tf.floor(clipped) : tf.round(clipped)) as tf.Tensor2D);
    });

    let out = mix(donorOriginal);
    for (let t = 1; t < iterations; t++) {
      const previous = out;
      out = tf.tidy(() => {
        const written = tf.gather(tf.reshape(previous, [nPert, k, cellValues]), donorPosition); // (M, K, P²·3)
        const fromParent = tf.reshape(tf.matMul(tf.reshape(parent, [mixes, 1, k]), written), [mixes, cellValues]);
        return mix(tf.add(fromParent, tf.mul(orphan, donorOriginal)) as tf.Tensor2D);
      });
      previous.dispose();
    }

    // Write back: (nPert, grid², P²·3) = untouched cells + one-hot scatter of the mixes.
    const oneHot = tf.cast(tf.oneHot(topkPert, cellsPerImage), 'float32') as tf.Tensor3D; // (nPert, K, grid²)
    const writtenMask = tf.expandDims(tf.sum(oneHot, 1), 2); // (nPert, grid², 1)
    const scattered = tf.matMul(oneHot, tf.reshape(out, [nPert, k, cellValues]), true, false);
    const updated = tf.add(tf.mul(tf.gather(cells, Int32Array.from(samples)), tf.sub(1, writtenMask)), scattered);
    const pick = Int32Array.from({ length: batch }, (_, b) => ((position[b] as number) >= 0 ? batch + (position[b] as number) : b));
    const newCells = tf.gather(tf.concat([cells, updated], 0), pick) as tf.Tensor3D;
    const maskCells = tf.gather(tf.concat([tf.zeros([batch, cellsPerImage, 1]), writtenMask], 0), pick);
    const maskPixels = tf.tile(maskCells, [1, 1, nn]) as tf.Tensor3D;
    return {
      images: fromCells(newCells, g, 3, images),
      changed: fromCells(maskPixels, g, 1, tf.zeros([batch, height, width, 1]) as tf.Tensor4D),
    };
  });
  return { ...result, perturbedSamples, iterations };
}
