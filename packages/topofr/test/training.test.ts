import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { tf, createTrainer, fullFC, selectBackend, syntheticIdentities, validateComposition, type MarginPlugin, type StepEvent } from '@fr/core';
import { tinyBackbone } from '@fr/core/testing';
import { arcface } from '@fr/loss-arcface';
import { randomStructurePerturbation, sds, topologyAlignment } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const numClasses = 8;

describe('the TopoFR recipe composes and trains (tiny, cpu)', () => {
  test('tinyBackbone + fullFC + exact ArcFace + SDS + ISA + RSP: 30 steps, finite, every term and metric logged', async () => {
    const backbone = tinyBackbone({ inputSize: 16, embeddingSize: 16, width: 8, seed: 1 });
    const centers = fullFC({ numClasses, embeddingSize: 16 });
    const trainer = createTrainer({
      backbone,
      centers,
      margin: arcface({ s: 64, m: 0.5, gradient: 'exact' }),
      losses: [sds(), topologyAlignment({ weight: 0.1 })],
      augments: [randomStructurePerturbation({ probability: 0.2 })],
      dataset: syntheticIdentities({ numClasses, imagesPerClass: 8, inputSize: 16, seed: 4 }),
      config: {
        batchSize: 16,
        steps: 30,
        seed: 2,
        optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
        schedule: { type: 'polynomial', power: 2, flavour: 'legacy' },
        clipGradNorm: { maxNorm: 5, scope: 'all' },
        nonFinite: 'stop',
        log: { progress: false },
      },
    });
    const events: StepEvent[] = [];
    const tensors: number[] = [];
    trainer.on('step', (e) => {
      events.push(e);
      tensors.push(tf.memory().numTensors);
    });
    const result = await trainer.fit({ handleSigint: false });
    expect(result.reason).toBe('completed');
    expect(events).toHaveLength(30);
    for (const e of events) {
      expect(Object.keys(e.terms).sort()).toEqual(['ce', 'isa/topo']);
      expect(Object.values(e.terms).every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(e.loss) && Number.isFinite(e.gradNorm)).toBe(true);
      expect(e.skipped).toBe(false);
      for (const key of ['sds/w1', 'sds/w2', 'sds/gumPi', 'sds/gumIterations', 'isa/loss', 'isa/matchedPairs', 'rsp/perturbed']) {
        expect(Number.isFinite(e.metrics[key]), key).toBe(true);
      }
      expect(e.metrics['sds/w1']!).toBeGreaterThanOrEqual(1);
      expect(e.metrics['sds/w1']!).toBeLessThanOrEqual(2);
      expect(e.metrics['sds/gumPi']!).toBeLessThanOrEqual(0.5);
      expect(e.terms['isa/topo']!).toBeCloseTo(0.1 * e.metrics['isa/loss']!, 3);
    }
    // RSP perturbed some samples over the run (ψ = 0.2 of 480 draws), not all.
    const perturbed = events.reduce((acc, e) => acc + (e.metrics['rsp/perturbed'] as number), 0) / events.length;
    expect(perturbed).toBeGreaterThan(0.05);
    expect(perturbed).toBeLessThan(0.5);
    expect(new Set(tensors.slice(1)).size).toBe(1);
    trainer.dispose();
    centers.dispose!();
    backbone.module.dispose();
  });

  // Bonus: BoundaryFace (another margin head, which rewrites the targets) with the TopoFR plugins.
  const boundary = fileURLToPath(new URL('../../loss-boundary/src/index.ts', import.meta.url));
  test.skipIf(!existsSync(boundary))('with @fr/loss-boundary present: BoundaryFace + SDS + ISA + RSP passes composition validation', async () => {
    const specifier = '@fr/loss-boundary';
    const { boundaryFace } = (await import(/* @vite-ignore */ specifier)) as { boundaryFace: (o?: object) => MarginPlugin };
    const backbone = tinyBackbone({ inputSize: 16, embeddingSize: 16 });
    const centers = fullFC({ numClasses, embeddingSize: 16 });
    expect(() => validateComposition({
      backbone,
      centers,
      margin: boundaryFace({ s: 32, m: 0.5 }),
      losses: [sds(), topologyAlignment()],
      augments: [randomStructurePerturbation()],
      dataset: { numClasses },
    })).not.toThrow();
    centers.dispose!();
    backbone.module.dispose();
  });
});
