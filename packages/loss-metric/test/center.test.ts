import { beforeAll, describe, expect, test } from 'vitest';
import { tf, createTrainer, defineLoss, defineMargin, fullFC, selectBackend, syntheticIdentities, type TrainerConfigInput } from '@fr/core';
import { assertConforms, checkLossPlugin, tinyBackbone } from '@fr/core/testing';
import { centerLoss, centerUpdate } from '../src/index.js';
import { runTerms } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});


/** Centres (0,0), (1,1), (2,0); a batch of two class-0 samples and one class-1 sample. */
function handExample(lambda: number, alpha = 0.5) {
  const plugin = centerLoss({ numClasses: 3, embeddingSize: 2, lambda, alpha, init: 'zeros' });
  plugin.setState!({ tensors: { centres: tf.tensor2d([[0, 0], [1, 1], [2, 0]]) } });
  const x = tf.tensor2d([[1, 0], [0, 2], [3, 1]]);
  const labels = [0, 0, 1];
  return { plugin, x, labels };
}

describe('centre update rule (Wen et al. eq. 4)', () => {
  test('matches a hand computation, and only in training steps', () => {
    const { plugin, x, labels } = handExample(0.01);
    runTerms(plugin, x, labels, false);
    expect(plugin.centers.arraySync()).toEqual([[0, 0], [1, 1], [2, 0]]); // evaluation: unchanged
    runTerms(plugin, x, labels, true);
    // Class 0 (n = 2): Δ = ((0−1)+(0−0), (0−0)+(0−2)) / 3 = (−1/3, −2/3); c ← c − 0.5·Δ = (1/6, 1/3).
    // Class 1 (n = 1): Δ = (1−3, 1−1) / 2 = (−1, 0); c ← (1.5, 1). Class 2 is not in the batch.
    const got = plugin.centers.arraySync();
    const want = [[1 / 6, 1 / 3], [1.5, 1], [2, 0]];
    got.forEach((row, j) => row.forEach((v, k) => expect(v).toBeCloseTo(want[j]![k]!, 6)));
    // The pure function gives the same.
    const pure = centerUpdate(tf.tensor2d([[0, 0], [1, 1], [2, 0]]), x, tf.tensor1d(labels, 'int32'), 0.5).arraySync();
    expect(pure).toEqual(got);
    plugin.dispose!();
  });

  test('the term is λ·½·mean‖x − c_y‖², its gradient (λ/B)(x − c_y), and none reaches the centres', () => {
    const lambda = 0.3;
    const { plugin, x, labels } = handExample(lambda);
    const xv = tf.variable(x);
    // ‖(1,0)−(0,0)‖² = 1, ‖(0,2)−(0,0)‖² = 4, ‖(3,1)−(1,1)‖² = 4: mean 3.
    const { value, grads } = tf.variableGrads(
      () => runTerms(plugin, xv as unknown as tf.Tensor2D, labels).terms.loss!,
      [xv, plugin.centers],
    );
    expect(value.dataSync()[0]).toBeCloseTo(lambda * 0.5 * 3, 6);
    // Asked for explicitly, the centres' gradient is exactly zero (they are read through detach()).
    const centresGrad = grads[plugin.centers.name];
    if (centresGrad) expect(Array.from(centresGrad.dataSync()).every((v) => v === 0)).toBe(true);
    const g = grads[xv.name]!.arraySync() as number[][];
    const want = [[1, 0], [0, 2], [2, 0]].map((r) => r.map((v) => (lambda / 3) * v));
    g.forEach((row, i) => row.forEach((v, k) => expect(v).toBeCloseTo(want[i]![k]!, 6)));
    // The step still updated the centres (by the rule, not by the gradient).
    expect(plugin.centers.arraySync()[1]).toEqual([1.5, 1]);
    expect(plugin.centers.trainable).toBe(false);
    plugin.dispose!();
    xv.dispose();
  });

  test('repeated updates converge to the class means', () => {
    const plugin = centerLoss({ numClasses: 2, embeddingSize: 2, alpha: 0.5 });
    const x = tf.tensor2d([[1, 2], [3, 2], [-1, -1]]);
    for (let i = 0; i < 60; i++) tf.tidy(() => runTerms(plugin, x, [0, 0, 1]).terms.loss!);
    const c = plugin.centers.arraySync();
    expect(c[0]![0]).toBeCloseTo(2, 4);
    expect(c[0]![1]).toBeCloseTo(2, 4);
    expect(c[1]![0]).toBeCloseTo(-1, 4);
    plugin.dispose!();
  });
});

describe('centre loss plugin', () => {
  test('conforms (exact gradients, NaN safety, determinism, no leak, state round trip)', () => {
    assertConforms(checkLossPlugin(() => centerLoss({ numClasses: 5, embeddingSize: 8, lambda: 0.1 }), { gradient: 'exact' }));
    assertConforms(checkLossPlugin(() => centerLoss({ numClasses: 5, embeddingSize: 8, lambda: 0.1, normalize: true }), { gradient: 'exact' }));
  });

  test('state errors are clear; options are validated', () => {
    const plugin = centerLoss({ numClasses: 3, embeddingSize: 2 });
    expect(() => plugin.setState!({ tensors: {} })).toThrow(/no "centers" tensor/);
    expect(() => plugin.setState!({ tensors: { centers: tf.zeros([4, 2]) } })).toThrow(/saved centers have shape \[4,2\], this plugin has \[3,2\]/);
    // Checkpoints written before the rename hold `centres`: they still load (and are checked).
    expect(() => plugin.setState!({ tensors: { centres: tf.zeros([4, 2]) } })).toThrow(/saved centers have shape/);
    expect(() => runTerms(plugin, tf.zeros([2, 5]), [0, 1])).toThrow(/5-d but its centers are 2-d/);
    plugin.dispose!();
    expect(() => centerLoss({ numClasses: 3, embeddingSize: 2, alpha: 2 })).toThrow(/alpha/);
    expect(() => centerLoss({ numClasses: 0, embeddingSize: 2 })).toThrow(/numClasses/);
  });
});

describe('centres in the trainer', () => {
  test('a skipped non-finite step rolls the centres back', async () => {
    const numClasses = 4;
    const center = centerLoss({ numClasses, embeddingSize: 16, lambda: 0.05 });
    const poison = defineLoss({
      name: 'poison',
      terms: ({ embedding }, c) => ({ terms: { bad: tf.mul(tf.mean(embedding), c.step === 2 ? NaN : 0) as tf.Scalar } }),
    });
    const trainer = createTrainer({
      backbone: tinyBackbone({ inputSize: 16, embeddingSize: 16 }),
      centers: fullFC({ numClasses, embeddingSize: 16 }),
      margin: defineMargin({ name: 'softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 16) as tf.Tensor2D }) }),
      losses: [center, poison],
      dataset: syntheticIdentities({ numClasses, imagesPerClass: 4, inputSize: 16 }),
      config: { batchSize: 8, steps: 4, nonFinite: 'skip', optimizer: { type: 'sgd', lr: 0.05 }, log: { progress: false } },
    });
    const after: number[][] = [];
    trainer.on('step', () => after.push(Array.from(center.centers.dataSync())));
    await trainer.fit({ handleSigint: false });
    trainer.dispose();
    expect(after[1]).not.toEqual(after[0]); // a normal step moves them
    expect(after[2]).toEqual(after[1]); // the skipped step 2 left them as after step 1
    expect(after[3]).not.toEqual(after[2]);
  });
});

describe('centres survive a real trainer checkpoint', () => {
  const numClasses = 6;
  const normSoftmax = () => defineMargin({ name: 'norm-softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 16) as tf.Tensor2D }) });
  const parts = () => ({
    backbone: tinyBackbone({ inputSize: 16, embeddingSize: 16, seed: 5 }),
    centers: fullFC({ numClasses, embeddingSize: 16, seed: 9 }),
    margin: normSoftmax(),
    losses: [centerLoss({ numClasses, embeddingSize: 16, lambda: 0.05 })],
    dataset: syntheticIdentities({ numClasses, imagesPerClass: 8, inputSize: 16, seed: 11 }),
  });
  const config: TrainerConfigInput = { batchSize: 12, steps: 12, seed: 3, optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 }, log: { progress: false } };

  test('checkpointContents → restore gives the same centres and the same remaining losses', async () => {
    const full = parts();
    const t0 = createTrainer({ ...full, config });
    const fullLosses: number[] = [];
    t0.on('step', (e) => fullLosses.push(e.loss));
    await t0.fit({ handleSigint: false });
    const fullCentres = Array.from(full.losses[0]!.centers.dataSync());
    t0.dispose();

    const first = parts();
    const t1 = createTrainer({ ...first, config });
    const stop = new AbortController();
    const firstLosses: number[] = [];
    t1.on('step', (e) => {
      firstLosses.push(e.loss);
      if (e.step === 4) stop.abort();
    });
    await t1.fit({ signal: stop.signal, handleSigint: false });
    const saved = await t1.checkpointContents();
    const savedCentres = saved.tensors.get('state/center/centers');
    expect(savedCentres?.shape).toEqual([numClasses, 16]);
    expect(Array.from(savedCentres!.data)).toEqual(Array.from(first.losses[0]!.centers.dataSync()));
    t1.dispose();

    const second = parts();
    const t2 = createTrainer({ ...second, config });
    expect(Array.from(second.losses[0]!.centers.dataSync())).not.toEqual(Array.from(savedCentres!.data));
    t2.restore(saved);
    expect(Array.from(second.losses[0]!.centers.dataSync())).toEqual(Array.from(savedCentres!.data));
    const rest: number[] = [];
    t2.on('step', (e) => rest.push(e.loss));
    await t2.fit({ handleSigint: false });
    t2.dispose();
    expect([...firstLosses, ...rest]).toEqual(fullLosses);
    expect(Array.from(second.losses[0]!.centers.dataSync())).toEqual(fullCentres);
  });
});
