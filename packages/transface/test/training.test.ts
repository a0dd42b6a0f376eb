import { beforeAll, describe, expect, test } from 'vitest';
import { Rng, createTrainer, fullFC, selectBackend, syntheticIdentities, tf } from '@fr/core';
import { createBackbone } from '@fr/backbones';
import { arcface } from '@fr/loss-arcface';
import { dpap, ehsm, type DpapCompute } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** The TransFace recipe at toy scale: ViT + SE gate (36 px, patch 9 → 4×4 tokens), full FC. */
function transfaceTrainer(compute: DpapCompute, steps: number, probability: number) {
  const numClasses = 6;
  const backbone = createBackbone('transface_s', {
    inputSize: 36, patchSize: 9, dim: 16, depth: 1, heads: 2, embeddingSize: 16, dropPathRate: 0, maskRatio: 0,
  }, { rng: Rng.fromSeed(1) });
  const centers = fullFC({ numClasses, embeddingSize: 16 });
  const trainer = createTrainer({
    backbone,
    centers,
    margin: arcface({ s: 64, m: 0.5, gradient: 'straight-through' }),
    losses: [ehsm()],
    augments: [dpap({ probability, compute })],
    dataset: syntheticIdentities({ numClasses, imagesPerClass: 16, inputSize: 36, seed: 4 }),
    config: {
      batchSize: 16,
      steps,
      seed: 2,
      optimizer: { type: 'adamw', lr: 1e-3, weightDecay: 0.1 },
      schedule: { type: 'polynomial', power: 2, warmupSteps: 2, flavour: 'legacy' },
      clipGradNorm: { maxNorm: 5 },
      crossEntropy: { minProbability: 1e-30 },
      log: { progress: false },
    },
  });
  const dispose = () => {
    trainer.dispose();
    centers.dispose!();
    backbone.module.dispose();
  };
  return { trainer, dispose };
}

describe('TransFace recipe on the cpu backend', () => {
  test('ViT + SE gate, full FC, straight-through ArcFace, EHSM, DPAP (p 0.2): finite, weights in (1, 2], ≈ p perturbed, no leak', async () => {
    const { trainer, dispose } = transfaceTrainer('auto', 12, 0.2);
    const losses: number[] = [];
    const fractions: number[] = [];
    const weights: number[] = [];
    const tensors: number[] = [];
    trainer.on('step', (e) => {
      losses.push(e.loss);
      fractions.push(e.metrics['dpap/perturbedFraction'] as number);
      weights.push(e.metrics['ehsm/meanWeight'] as number);
      tensors.push(tf.memory().numTensors);
    });
    const result = await trainer.fit({ handleSigint: false });
    expect(result.reason).toBe('completed');
    expect(losses).toHaveLength(12);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(weights.every((w) => w > 1 && w <= 2)).toBe(true);
    const perturbed = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    // 192 samples at p = 0.2: 38 ± 5.5 expected.
    expect(perturbed).toBeGreaterThan(0.1);
    expect(perturbed).toBeLessThan(0.3);
    expect(new Set(tensors.slice(1)).size).toBe(1);
    dispose();
  });

  test('the device path trains too (tensor ops only, no read-back in the plugin)', async () => {
    const { trainer, dispose } = transfaceTrainer('device', 3, 0.5);
    const fractions: number[] = [];
    const losses: number[] = [];
    trainer.on('step', (e) => {
      losses.push(e.loss);
      fractions.push(e.metrics['dpap/perturbedFraction'] as number);
    });
    await trainer.fit({ handleSigint: false });
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(fractions.some((f) => f > 0)).toBe(true);
    dispose();
  });
});
