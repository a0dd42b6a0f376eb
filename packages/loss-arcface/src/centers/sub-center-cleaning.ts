import { tf, l2Normalize } from '@fr/core';
import type { SubCenterFCBank } from './sub-center-fc.js';

/** Input of {@link findSubCenterOutliers}, e.g. `{ centers: bank, embeddings, labels, ids, thresholdDegrees: 75 }`. */
export interface SubCenterOutlierOptions {
  /** The trained sub-centres: a {@link subCenterFC} bank, or its `(C·K, d)` class-major weight. */
  readonly centers: SubCenterFCBank | tf.Tensor2D;
  /** K, sub-centres per class: required when `centers` is a tensor. */
  readonly k?: number;
  /** Embeddings `(N, d)` of the images (raw or normalised: only directions matter). */
  readonly embeddings: tf.Tensor2D | readonly (readonly number[])[];
  /** Each image's class `(N,)`. */
  readonly labels: tf.Tensor1D | ArrayLike<number>;
  /** Each image's id or path, copied into the outliers (optional). */
  readonly ids?: readonly string[];
  /** Images at this angle or more from their class's dominant sub-centre are dropped (default 75°). */
  readonly thresholdDegrees?: number;
  /** Images processed per device pass (default 4096). */
  readonly chunkSize?: number;
}

/** An image far from its class's dominant sub-centre. */
export interface SubCenterOutlier {
  /** Row in the embeddings. */
  readonly index: number;
  readonly id?: string;
  readonly label: number;
  /** Cosine and angle (degrees) to the class's dominant sub-centre. */
  readonly cosine: number;
  readonly angleDegrees: number;
}

/** What {@link findSubCenterOutliers} found: per-class dominant sub-centres, per-image cosines and the images to drop. */
export interface SubCenterCleaningReport {
  readonly thresholdDegrees: number;
  /** Dominant sub-centre (0..K−1) of each class; −1 for a class without images. */
  readonly dominant: Int32Array;
  /** Votes `(C·K)`: how many of a class's images have sub-centre k as their nearest. */
  readonly votes: Int32Array;
  /** Each image's cosine to its class's dominant sub-centre `(N)`. */
  readonly cosine: Float32Array;
  /** 1 where the image is kept, 0 where dropped `(N)`. */
  readonly keep: Uint8Array;
  readonly keptCount: number;
  /** The dropped images, in index order. */
  readonly dropped: readonly SubCenterOutlier[];
}

const isBank = (c: SubCenterOutlierOptions['centers']): c is SubCenterFCBank => !(c instanceof tf.Tensor);

/**
 * Sub-center ArcFace's data-set cleaning (insightface `subcenter_arcface/drop.py`): each image
 * votes for the nearest of its class's K sub-centres; the most voted is the class's dominant
 * sub-centre (the lowest k on ties); images whose cosine to it is ≤ cos(threshold) — 75° by
 * default — are listed as outliers to drop before retraining plain ArcFace (K = 1).
 * @example
 * ```ts
 * const report = await findSubCenterOutliers({ centers: bank, embeddings, labels, ids: paths });
 * for (const o of report.dropped) console.log(o.id, o.angleDegrees.toFixed(1));
 * ```
 */
export async function findSubCenterOutliers(options: SubCenterOutlierOptions): Promise<SubCenterCleaningReport> {
  const weight = isBank(options.centers) ? (options.centers.module.weight as tf.Tensor2D) : options.centers;
  const k = isBank(options.centers) ? options.centers.k : options.k;
  if (!(Number.isInteger(k) && (k as number) >= 1)) throw new Error('findSubCenterOutliers: pass `k` (sub-centres per class) with a weight tensor');
  const K = k as number;
  const [rows, d] = weight.shape;
  if (rows % K !== 0) throw new Error(`findSubCenterOutliers: the weight has ${rows} rows, not a multiple of k = ${K}`);
  const numClasses = rows / K;
  const thresholdDegrees = options.thresholdDegrees ?? 75;
  if (!(thresholdDegrees >= 0 && thresholdDegrees <= 180)) throw new Error(`findSubCenterOutliers: thresholdDegrees must be in [0, 180], got ${thresholdDegrees}`);
  const chunk = options.chunkSize ?? 4096;

  const embeddings = options.embeddings instanceof tf.Tensor ? options.embeddings : tf.tensor2d(options.embeddings as number[][]);
  const labels = options.labels instanceof tf.Tensor ? await options.labels.data() : options.labels;
  try {
    const n = embeddings.shape[0];
    if (embeddings.shape[1] !== d) throw new Error(`findSubCenterOutliers: embeddings are ${embeddings.shape[1]}-d but the centres ${d}-d`);
    if (labels.length !== n) throw new Error(`findSubCenterOutliers: ${n} embeddings but ${labels.length} labels`);
    if (options.ids && options.ids.length !== n) throw new Error(`findSubCenterOutliers: ${n} embeddings but ${options.ids.length} ids`);
    const labelArray = Int32Array.from(labels as ArrayLike<number>);
    for (const y of labelArray) if (!(y >= 0 && y < numClasses)) throw new Error(`findSubCenterOutliers: label ${y} is outside [0, ${numClasses})`);

    // Cosines of every image to its own class's K sub-centres, (N, K), computed in chunks.
    const cosines = new Float32Array(n * K);
    const centres = tf.tidy(() => tf.reshape(l2Normalize(weight), [numClasses, K, d]));
    try {
      for (let start = 0; start < n; start += chunk) {
        const size = Math.min(chunk, n - start);
        const part = tf.tidy(() => {
          const e = l2Normalize(tf.slice(embeddings, [start, 0], [size, d]));
          const own = tf.gather(centres, tf.tensor1d(labelArray.subarray(start, start + size), 'int32'));
          return tf.sum(tf.mul(tf.expandDims(e, 1), own), 2);
        });
        cosines.set(await part.data(), start * K);
        part.dispose();
      }
    } finally {
      centres.dispose();
    }

    const votes = new Int32Array(numClasses * K);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < K; j++) if ((cosines[i * K + j] as number) > (cosines[i * K + best] as number)) best = j;
      const slot = (labelArray[i] as number) * K + best;
      votes[slot] = (votes[slot] as number) + 1;
    }
    const dominant = new Int32Array(numClasses).fill(-1);
    for (let c = 0; c < numClasses; c++) {
      let best = -1;
      let most = 0;
      for (let j = 0; j < K; j++) {
        const v = votes[c * K + j] as number;
        if (v > most) [best, most] = [j, v];
      }
      dominant[c] = best;
    }
    const limit = Math.cos((thresholdDegrees * Math.PI) / 180);
    const cosine = new Float32Array(n);
    const keep = new Uint8Array(n);
    const dropped: SubCenterOutlier[] = [];
    for (let i = 0; i < n; i++) {
      const label = labelArray[i] as number;
      const c = cosines[i * K + (dominant[label] as number)] as number;
      cosine[i] = c;
      if (c > limit) {
        keep[i] = 1;
      } else {
        const angleDegrees = (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
        dropped.push({ index: i, ...(options.ids ? { id: options.ids[i] as string } : {}), label, cosine: c, angleDegrees });
      }
    }
    return { thresholdDegrees, dominant, votes, cosine, keep, keptCount: n - dropped.length, dropped };
  } finally {
    if (embeddings !== options.embeddings) embeddings.dispose();
  }
}

/**
 * The same cleaning for the images of one class: `subCenters` `(K, d)` are that class's
 * sub-centres. Returns the dominant sub-centre and the outliers.
 * @example
 * ```ts
 * const { dominant, dropped } = await findClassOutliers({ subCenters, embeddings, ids: paths });
 * ```
 */
export async function findClassOutliers(options: {
  readonly subCenters: tf.Tensor2D;
  readonly embeddings: tf.Tensor2D | readonly (readonly number[])[];
  readonly ids?: readonly string[];
  readonly thresholdDegrees?: number;
}): Promise<{ readonly dominant: number; readonly cosine: Float32Array; readonly keep: Uint8Array; readonly dropped: readonly SubCenterOutlier[] }> {
  const n = options.embeddings instanceof tf.Tensor ? options.embeddings.shape[0] : options.embeddings.length;
  const report = await findSubCenterOutliers({
    centers: options.subCenters,
    k: options.subCenters.shape[0],
    embeddings: options.embeddings,
    labels: new Int32Array(n),
    ids: options.ids,
    thresholdDegrees: options.thresholdDegrees,
  });
  return { dominant: report.dominant[0] as number, cosine: report.cosine, keep: report.keep, dropped: report.dropped };
}
