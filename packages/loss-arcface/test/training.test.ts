import { beforeAll, describe, expect, test } from 'vitest';
import { tf, createTrainer, selectBackend, syntheticIdentities } from '@fr/core';
import { tinyBackbone } from '@fr/core/testing';
import { arcface, partialFC } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

describe('a tiny composition trains', () => {
  test('tinyBackbone + partialFC (rate 0.5) + arcface (defaults: s 64, m 0.5, exact): 30 steps, finite, loss falls, every row decays', async () => {
    const numClasses = 12;
    const centers = partialFC({ numClasses, embeddingSize: 16, sampleRate: 0.5, seed: 3 });
    const backbone = tinyBackbone({ inputSize: 16, embeddingSize: 16, width: 8, seed: 1 });
    const trainer = createTrainer({
      backbone,
      centers,
      margin: arcface(),
      dataset: syntheticIdentities({ numClasses, imagesPerClass: 16, inputSize: 16, seed: 4 }),
      config: {
        batchSize: 16,
        steps: 30,
        seed: 2,
        optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
        log: { progress: false },
      },
    });
    const before = centers.module.weight.arraySync() as number[][];
    const losses: number[] = [];
    const sampled: number[] = [];
    const tensors: number[] = [];
    trainer.on('step', (e) => {
      losses.push(e.loss);
      sampled.push(e.metrics['partialfc/sampled'] as number);
      tensors.push(tf.memory().numTensors);
    });
    const result = await trainer.fit({ handleSigint: false });
    expect(result.reason).toBe('completed');
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(0.5 * mean(losses.slice(0, 5)));
    // 6 centres per step, or more when the batch holds more than 6 classes (positives only).
    expect(sampled.every((n) => n >= 6 && n <= numClasses)).toBe(true);
    expect(new Set(tensors.slice(1)).size).toBe(1);
    // PFC v2: the whole weight is in the optimiser, so every row moved (decay and momentum).
    const after = centers.module.weight.arraySync() as number[][];
    expect(after.every((row, i) => row.some((v, j) => v !== before[i]![j]))).toBe(true);
    trainer.dispose();
    centers.dispose!();
    backbone.module.dispose();
  });
});
