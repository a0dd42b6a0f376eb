import { beforeAll, describe, expect, test } from 'vitest';
import { tf, createTrainer, defineMargin, fullFC, l2Normalize, Rng, selectBackend, syntheticIdentities, type Backbone } from '@fr/core';
import { tinyBackbone } from '@fr/core/testing';
import { centerLoss, mPerClassDataset, tripletLoss } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean distance of positive and negative pairs among L2-normalised embeddings of `images` (evaluation mode). */
function separation(backbone: Backbone, images: Float32Array[], labels: number[], size: number): { positive: number; negative: number } {
  const d = tf.tidy(() => {
    const input = tf.tensor4d(Float32Array.from(images.flatMap((im) => Array.from(im))), [images.length, size, size, 3]);
    const e = l2Normalize(backbone.forward(input, { training: false, rng: Rng.fromSeed(0) }).embedding);
    return tf.sqrt(tf.maximum(tf.sum(tf.square(tf.sub(tf.expandDims(e, 1), tf.expandDims(e, 0))), -1), 0)).arraySync() as number[][];
  });
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) (labels[i] === labels[j] ? pos : neg).push(d[i]![j]!);
  }
  return { positive: mean(pos), negative: mean(neg) };
}

describe('end-to-end training on the cpu backend', () => {
  test('tiny backbone + batch-hard triplet loss on m-per-class batches: loss falls, held-out identities separate', async () => {
    const size = 16;
    const perClass = 8;
    const trainClasses = 12;
    const heldOutClasses = 6;
    const synthetic = syntheticIdentities({ numClasses: trainClasses + heldOutClasses, imagesPerClass: perClass, inputSize: size, seed: 21 });
    // Train on the first 12 identities; verify on 6 identities the model never saw.
    const dataset = mPerClassDataset(
      { size: trainClasses * perClass, numClasses: trainClasses, inputSize: size, getImage: synthetic.image, label: synthetic.label },
      { m: 4 },
    );
    const heldOut = Array.from({ length: heldOutClasses * perClass }, (_, k) => trainClasses * perClass + k);
    const heldImages = heldOut.map((i) => synthetic.image(i));
    const heldLabels = heldOut.map((i) => synthetic.label(i));

    const backbone = tinyBackbone({ inputSize: size, embeddingSize: 32, width: 8, seed: 1 });
    const before = separation(backbone, heldImages, heldLabels, size);
    const trainer = createTrainer({
      backbone,
      losses: [tripletLoss({ miner: 'batch-hard', margin: 0.2 })],
      dataset,
      config: {
        batchSize: 32, // 8 identities × 4 images
        steps: 60,
        seed: 4,
        optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
        log: { progress: false },
      },
    });
    const losses: number[] = [];
    const active: number[] = [];
    trainer.on('step', (e) => {
      losses.push(e.terms['triplet/loss']!);
      active.push(e.metrics['triplet/activeFraction']!);
    });
    await trainer.fit({ handleSigint: false });
    trainer.dispose();
    const after = separation(backbone, heldImages, heldLabels, size);

    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-10))).toBeLessThan(0.6 * mean(losses.slice(0, 10)));
    expect(mean(active.slice(-10))).toBeLessThan(mean(active.slice(0, 10)));
    expect(after.negative - after.positive).toBeGreaterThan(before.negative - before.positive + 0.1);
    expect(after.positive).toBeLessThan(0.7 * after.negative);
  });

  test('centre loss + full FC + normalised softmax train together; centres follow the embeddings', async () => {
    const size = 16;
    const numClasses = 8;
    const embeddingSize = 16;
    const dataset = syntheticIdentities({ numClasses, imagesPerClass: 12, inputSize: size, seed: 5 });
    const backbone = tinyBackbone({ inputSize: size, embeddingSize, seed: 2 });
    const center = centerLoss({ numClasses, embeddingSize, lambda: 0.01, alpha: 0.5 });
    const trainer = createTrainer({
      backbone,
      centers: fullFC({ numClasses, embeddingSize }),
      margin: defineMargin({ name: 'norm-softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 16) as tf.Tensor2D }) }),
      losses: [center],
      dataset,
      config: { batchSize: 32, steps: 60, seed: 4, optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 }, log: { progress: false } },
    });
    const ce: number[] = [];
    const cl: number[] = [];
    trainer.on('step', (e) => {
      ce.push(e.terms.ce!);
      cl.push(e.terms['center/loss']!);
    });
    await trainer.fit({ handleSigint: false });
    trainer.dispose();

    // Distance of each class's mean training embedding (evaluation mode) to its centre, vs to other centres.
    const { own, other } = tf.tidy(() => {
      const indices = Array.from({ length: dataset.size }, (_, i) => i);
      const input = tf.tensor4d(Float32Array.from(indices.flatMap((i) => Array.from(dataset.image(i)))), [indices.length, size, size, 3]);
      const e = backbone.forward(input, { training: false, rng: Rng.fromSeed(0) }).embedding;
      const labels = tf.tensor1d(indices.map((i) => dataset.label(i)), 'int32');
      const means = tf.div(tf.unsortedSegmentSum(e, labels, numClasses), 12);
      const d = tf.sqrt(tf.sum(tf.square(tf.sub(tf.expandDims(means, 1), tf.expandDims(center.centers, 0))), -1)).arraySync() as number[][];
      return { own: mean(d.map((r, j) => r[j]!)), other: mean(d.flatMap((r, j) => r.filter((_, k) => k !== j))) };
    });
    expect([...ce, ...cl].every(Number.isFinite)).toBe(true);
    expect(mean(ce.slice(-10))).toBeLessThan(0.6 * mean(ce.slice(0, 10)));
    expect(mean(cl.slice(-10))).toBeLessThan(0.5 * mean(cl.slice(0, 10)));
    expect(own).toBeLessThan(0.5 * other);
  });

  test('a triplet run resumed from a checkpoint mid-epoch replays the same batches and losses', async () => {
    const size = 8;
    const synthetic = syntheticIdentities({ numClasses: 6, imagesPerClass: 6, inputSize: size, seed: 2 });
    const parts = () => ({
      backbone: tinyBackbone({ inputSize: size, embeddingSize: 8, width: 4, seed: 3 }),
      losses: [tripletLoss({ miner: 'semi-hard', distance: 'euclidean' })],
      dataset: mPerClassDataset({ ...synthetic, getImage: synthetic.image }, { m: 3 }),
    });
    // 12 groups of 3, 2 per batch: 6 batches per epoch; stopping after step 7 resumes mid-epoch 1.
    const config = { batchSize: 6, steps: 11, seed: 8, optimizer: { type: 'adamw' as const, lr: 1e-3 }, log: { progress: false } };
    const full: number[] = [];
    const t0 = createTrainer({ ...parts(), config });
    t0.on('step', (e) => full.push(e.loss));
    await t0.fit({ handleSigint: false });
    t0.dispose();

    const t1 = createTrainer({ ...parts(), config });
    const head: number[] = [];
    const stop = new AbortController();
    t1.on('step', (e) => {
      head.push(e.loss);
      if (e.step === 7) stop.abort();
    });
    await t1.fit({ signal: stop.signal, handleSigint: false });
    const saved = await t1.checkpointContents();
    t1.dispose();
    const t2 = createTrainer({ ...parts(), config });
    t2.restore(saved);
    expect([t2.epoch, (saved.meta as { position: { batchInEpoch: number } }).position.batchInEpoch]).toEqual([1, 2]);
    const tail: number[] = [];
    t2.on('step', (e) => tail.push(e.loss));
    await t2.fit({ handleSigint: false });
    t2.dispose();
    expect([...head, ...tail]).toEqual(full);
  });
});
