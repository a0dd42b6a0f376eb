/**
 * What README snippets use without declaring it — `backbone`, `dataset`, `embeddings`, `test`… —
 * as tiny real values. A snippet imports exactly the free names it uses (the typecheck pass finds
 * them), so a README can show the call that matters and leave the surrounding objects to the
 * reader's context; here they are small enough that a README's training run takes seconds.
 *
 * A README that needs a new free name gets it here, with the type the README's API expects.
 */
import { Rng, syntheticIdentities, tf, type TrainerConfigInput } from '@fr/core';
import { tinyBackbone } from '@fr/core/testing';
import { subCenterFC } from '@fr/loss-arcface';
import type { PixelImage } from '@fr/backbones';

// ───────────── training: a tiny backbone and a synthetic identity set ─────────────

/**
 * 256 images: the largest batch a README asks for (BoundaryFace's MS1M recipe) fits once, so a
 * README's realistic batch size runs unchanged; 8×8 pixels, 8 identities and a width-2 backbone
 * keep each of those steps small.
 */
export const dataset = syntheticIdentities({ numClasses: 8, imagesPerClass: 32, inputSize: 8, seed: 11 });
export const numClasses = dataset.numClasses;
/** The READMEs' centre banks are 512-d, as insightface's: the tiny backbone gives 512-d embeddings. */
export const backbone = tinyBackbone({ inputSize: 8, embeddingSize: 512, width: 2 });
export const config: TrainerConfigInput = { batchSize: 32, steps: 2, optimizer: { type: 'sgd', lr: 0.05 } };

/** A batch of images for `backbone.forward(images, …)`: NHWC in [−1, 1], at the backbones' default 112. */
export const images = tf.keep(tf.randomUniform([2, 112, 112, 3], -1, 1, 'float32', 5)) as tf.Tensor4D;
/** Raw 8-bit RGBA pixels, as a DOM `ImageData` (112×112). */
export const imageData: PixelImage = { width: 112, height: 112, data: Uint8ClampedArray.from({ length: 112 * 112 * 4 }, (_, i) => (i * 37) % 256) };

// ───────────── embeddings: 40 rows = 20 verification pairs of 10 identities ─────────────

const PAIRS = 20;
const IDENTITIES = 10;
const DIM = 16;
/** Pair k: rows 2k and 2k+1, the same identity for even k, neighbours for odd k. */
const rowLabels = Int32Array.from({ length: 2 * PAIRS }, (_, row) => {
  const k = row >> 1;
  return row % 2 === 0 || k % 2 === 0 ? k % IDENTITIES : (k + 1) % IDENTITIES;
});

/** Embeddings near one random direction per identity (noise 0.5), as a trained network gives. */
function identityEmbeddings(seed: string): tf.Tensor2D {
  const rng = Rng.fromSeed(23);
  const centers = Array.from({ length: IDENTITIES }, () => Array.from({ length: DIM }, () => rng.normal(0, 1)));
  const noise = rng.fork(seed);
  return tf.keep(tf.tensor2d(Array.from(rowLabels, (label) => (centers[label] as number[]).map((c) => c + noise.normal(0, 0.5)))));
}

/** `(B, d)` raw embeddings of a training batch, and its `(B,)` int32 labels. */
export const embedding = identityEmbeddings('batch');
export const labels = tf.keep(tf.tensor1d(rowLabels, 'int32'));

/** `(2N, d)` evaluation embeddings (rows 2k, 2k+1 = pair k), of the flipped images, and `issame`. */
export const embeddings = identityEmbeddings('eval');
export const flipped = identityEmbeddings('eval-flipped');
export const issame = Array.from({ length: PAIRS }, (_, k) => rowLabels[2 * k] === rowLabels[2 * k + 1]);
/** Each embedding row's image path. */
export const paths = Array.from(rowLabels, (label, row) => `faces/id-${label}/${row}.jpg`);

/** A sub-centre bank (K = 3) over the same identities, for data-set cleaning. */
export const bank = subCenterFC({ numClasses: IDENTITIES, embeddingSize: DIM, k: 3 });

/** Each example's class on the host, e.g. a dataset's labels for a sampler (20 identities × 5). */
export const datasetLabels = Int32Array.from({ length: 100 }, (_, i) => i % 20);

// ───────────── tests: a README's `test(...)` runs its body (see test-api.ts) ─────────────

export { test, expect } from './test-api.js';
