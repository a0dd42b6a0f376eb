import { beforeAll, describe, expect, test } from 'vitest';
import {
  tf, createTrainer, defineMargin, defineLoss, fullFC, syntheticIdentities, selectBackend, ConfigError, CompositionError,
  NonFiniteLossError, type TrainerConfigInput,
} from '../src/index.js';
import { tinyBackbone } from '../src/testing/index.js';

/** A plain normalised-softmax margin (NormFace): logits = s·cos. */
const normSoftmax = (s = 16) => defineMargin({ name: 'norm-softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, s) as tf.Tensor2D }) });

const baseConfig = (over: Partial<TrainerConfigInput> = {}): TrainerConfigInput => ({
  batchSize: 16,
  steps: 40,
  seed: 3,
  optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
  log: { progress: false },
  ...over,
});

function parts(numClasses = 8, inputSize = 16) {
  const dataset = syntheticIdentities({ numClasses, imagesPerClass: 12, inputSize, seed: 11 });
  const backbone = tinyBackbone({ inputSize, embeddingSize: 16, seed: 5 });
  const centers = fullFC({ numClasses, embeddingSize: 16, seed: 9 });
  return { dataset, backbone, centers, margin: normSoftmax() };
}

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

describe('trainer configuration', () => {
  test('invalid config fails before training with every field named', () => {
    const p = parts();
    expect(() => createTrainer({ ...p, config: { batchSize: 0, steps: 10, optimizer: { type: 'sgd', lr: -1 } } })).toThrow(ConfigError);
    const bad = () => createTrainer({ ...p, config: { batchSize: 0, steps: 10, optimizer: { type: 'sgd', lr: -1, momentun: 0.9 } } as never });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/batchSize/);
    expect(bad).toThrow(/optimizer\.lr/);
    expect(bad).toThrow(/momentun/);
    expect(() => createTrainer({ ...p, config: { batchSize: 4, optimizer: { type: 'sgd', lr: 0.1 } } })).toThrow(/exactly one of `steps` or `epochs`/);
  });

  test('impossible composition is rejected naming the plugins', () => {
    const p = parts();
    const needsTokens = defineLoss({ name: 'needs-tokens', requires: ['aux:tokens'], terms: () => ({ terms: { zero: tf.scalar(0) } }) });
    const weighter = defineLoss({ name: 'weighter', sampleWeights: ({ labels }) => ({ weights: tf.onesLike(labels) as tf.Tensor1D }) });
    expect(() => createTrainer({ ...p, margin: undefined, losses: [weighter], config: baseConfig() })).toThrow(CompositionError);
    const twice = () => createTrainer({ ...p, losses: [needsTokens, needsTokens], config: baseConfig() });
    expect(twice).toThrow(CompositionError);
    expect(twice).toThrow(/loss plugin "needs-tokens" requires "aux:tokens": backbone "tiny" does not output "tokens"/);
    expect(twice).toThrow(/share the name "needs-tokens"/);
    const wrongClasses = fullFC({ numClasses: 5, embeddingSize: 16 });
    expect(() => createTrainer({ ...p, centers: wrongClasses, config: baseConfig() })).toThrow(/5 classes but the dataset has 8/);
  });

  test('labels out of range and wrong image size get clear errors', async () => {
    const p = parts();
    const trainer = createTrainer({ ...p, config: baseConfig() });
    const images = new Float32Array(2 * 16 * 16 * 3);
    await expect(trainer.trainStep({ images, shape: [2, 16, 16, 3], labels: Int32Array.from([0, 8]), ids: ['a.jpg', 'b.jpg'] }))
      .rejects.toThrow(/Label 8 of image 1 \(b\.jpg\) is outside \[0, 8\)/);
    await expect(trainer.trainStep({ images: new Float32Array(2 * 8 * 8 * 3), shape: [2, 8, 8, 3], labels: Int32Array.from([0, 1]) }))
      .rejects.toThrow(/8x8 but backbone "tiny" takes 16x16/);
    trainer.dispose();
  });
});

describe('NaN/Inf guard', () => {
  const poisoned = (atStep: number) => defineLoss({
    name: 'poison',
    terms: ({ embedding }, ctx) => ({ terms: { bad: tf.mul(tf.mean(embedding), ctx.step === atStep ? NaN : 0) as tf.Scalar } }),
  });

  test('stop: names the step and the plugin, and leaves the weights untouched', async () => {
    const p = parts();
    const trainer = createTrainer({ ...p, losses: [poisoned(3)], config: baseConfig({ steps: 10 }) });
    const before: number[][] = [];
    trainer.on('step', () => {
      before.length = 0;
      for (const v of p.backbone.module.stateDict().values()) before.push(Array.from(v.dataSync()));
    });
    const error = await trainer.fit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).step).toBe(3);
    expect((error as Error).message).toMatch(/step 3: term "poison\/bad" from loss plugin "poison" is NaN/);
    const after = [...p.backbone.module.stateDict().values()].map((v) => Array.from(v.dataSync()));
    expect(after).toEqual(before); // weights AND batch-norm statistics as after step 2
    trainer.dispose();
  });

  test('skip: the bad step is skipped, training continues', async () => {
    const p = parts();
    const trainer = createTrainer({ ...p, losses: [poisoned(2)], config: baseConfig({ steps: 6, nonFinite: 'skip' }) });
    const events: { step: number; skipped: boolean }[] = [];
    const bad: string[] = [];
    trainer.on('step', (e) => events.push({ step: e.step, skipped: e.skipped }));
    trainer.on('nonfinite', (e) => bad.push(`${e.step}:${e.action}:${e.source}`));
    await trainer.fit();
    expect(events.map((e) => e.skipped)).toEqual([false, false, true, false, false, false]);
    expect(bad).toEqual(['2:skip:loss plugin "poison"']);
    trainer.dispose();
  });
});

describe('training', () => {
  test('losses match an uninterrupted run after checkpoint + restore (cpu, exact)', async () => {
    const config = baseConfig({ steps: 24, schedule: { type: 'polynomial', power: 2, warmupSteps: 3, flavour: 'legacy' } });
    const run = async (): Promise<number[]> => {
      const p = parts();
      const t = createTrainer({ ...p, config });
      const losses: number[] = [];
      t.on('step', (e) => losses.push(e.loss));
      await t.fit();
      t.dispose();
      return losses;
    };
    const full = await run();

    const p1 = parts();
    const first = createTrainer({ ...p1, config: { ...config, steps: 24 } });
    const firstLosses: number[] = [];
    const stop = new AbortController();
    first.on('step', (e) => {
      firstLosses.push(e.loss);
      if (e.step === 9) stop.abort(); // crosses an epoch boundary (6 batches per epoch)
    });
    expect((await first.fit({ signal: stop.signal, handleSigint: false })).reason).toBe('interrupted');
    const saved = await first.checkpointContents();
    first.dispose();

    const p2 = parts();
    const second = createTrainer({ ...p2, config });
    second.restore(saved);
    expect(second.step).toBe(10);
    const rest: number[] = [];
    second.on('step', (e) => rest.push(e.loss));
    await second.fit({ handleSigint: false });
    second.dispose();
    expect([...firstLosses, ...rest]).toEqual(full);
  });
});
