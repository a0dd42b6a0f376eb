import { beforeAll, describe, expect, test } from 'vitest';
import { tf, createTrainer, defineMargin, fullFC, syntheticIdentities } from '../src/index.js';
import { tinyBackbone } from '../src/testing/index.js';
import { useTestBackend } from './helpers/setup.js';

let backend = '';
beforeAll(async () => {
  backend = await useTestBackend();
});

describe('a minimal composition trains', () => {
  test('tiny conv backbone + full FC + normalised softmax: 200 steps, loss falls, no tensor growth', async () => {
    const numClasses = 10;
    const normSoftmax = defineMargin({ name: 'norm-softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 16) as tf.Tensor2D }) });
    const trainer = createTrainer({
      backbone: tinyBackbone({ inputSize: 16, embeddingSize: 32, width: 8, seed: 1 }),
      centers: fullFC({ numClasses, embeddingSize: 32 }),
      margin: normSoftmax,
      dataset: syntheticIdentities({ numClasses, imagesPerClass: 16, inputSize: 16 }),
      config: {
        batchSize: 32,
        steps: 200,
        optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
        schedule: { type: 'polynomial', power: 1 },
        log: { progress: false },
      },
    });
    const losses: number[] = [];
    const tensors: number[] = [];
    trainer.on('step', (e) => {
      losses.push(e.loss);
      tensors.push(tf.memory().numTensors);
    });
    const result = await trainer.fit({ handleSigint: false });
    trainer.dispose();
    expect(result.reason).toBe('completed');
    expect(tf.getBackend()).toBe(backend);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(losses.slice(0, 20));
    const last = mean(losses.slice(-20));
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(last).toBeLessThan(0.5 * first);
    // Flat from the first step on: optimiser slots are created at step 0, nothing after.
    expect(new Set(tensors.slice(1)).size).toBe(1);
  });
});
