import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend, syntheticIdentities } from '@fr/core';
import { topofrWithBoundaryFace } from '../src/topofr-with-boundaryface.js';
import { transface } from '../src/transface-recipe.js';

beforeAll(async () => {
  await selectBackend(process.env.FR_BACKEND ?? 'wasm', { log: null });
});

describe('compositions across papers', () => {
  test('TopoFR (RSP + SDS + ISA) with BoundaryFace trains: every term logged and finite, labels corrected after epochStart', async () => {
    const dataset = syntheticIdentities({ numClasses: 8, imagesPerClass: 8, inputSize: 56, seed: 3 });
    const trainer = topofrWithBoundaryFace(dataset, 6); // 2 batches per epoch: correction active from step 4
    const terms = new Set<string>();
    const losses: number[] = [];
    const corrected: (number | undefined)[] = [];
    trainer.on('step', (e) => {
      for (const k of Object.keys(e.terms)) terms.add(k);
      losses.push(e.loss);
      corrected.push(e.metrics['boundaryface/corrected']);
    });
    await trainer.fit({ handleSigint: false });
    trainer.dispose();
    expect([...terms].sort()).toEqual(['boundaryface/reg', 'ce', 'isa/topo']);
    expect(losses.every(Number.isFinite)).toBe(true);
    // BoundaryFace's detection runs from epoch 2 (epoch > epochStart 1): steps 4 and 5 only.
    expect(corrected.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect((corrected[4] as number) + (corrected[5] as number)).toBeGreaterThan(0);
  });

  test('the TransFace recipe (small ViT + SE gate, EHSM, DPAP) trains', async () => {
    const dataset = syntheticIdentities({ numClasses: 6, imagesPerClass: 8, inputSize: 36, seed: 4 });
    const trainer = transface(dataset, 2, { inputSize: 36, dim: 32, depth: 1, batchSize: 16 });
    const metrics: Record<string, number>[] = [];
    trainer.on('step', (e) => metrics.push(e.metrics));
    await trainer.fit({ handleSigint: false });
    trainer.dispose();
    expect(metrics.length).toBe(2);
    expect(Object.keys(metrics[0] ?? {})).toEqual(expect.arrayContaining(['ehsm/meanWeight', 'dpap/perturbedFraction']));
  });
});
