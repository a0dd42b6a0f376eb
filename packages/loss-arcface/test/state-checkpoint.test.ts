import { beforeAll, describe, expect, test } from 'vitest';
import { createTrainer, fullFC, selectBackend, syntheticIdentities, type MarginPlugin, type TrainerConfigInput } from '@fr/core';
import { tinyBackbone } from '@fr/core/testing';
import { adaface, curricularFace } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const config: TrainerConfigInput = {
  batchSize: 16,
  steps: 12,
  seed: 5,
  optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
  log: { progress: false },
};

function parts(margin: MarginPlugin) {
  return {
    dataset: syntheticIdentities({ numClasses: 6, imagesPerClass: 10, inputSize: 16, seed: 2 }),
    backbone: tinyBackbone({ inputSize: 16, embeddingSize: 16, seed: 4 }),
    centers: fullFC({ numClasses: 6, embeddingSize: 16, seed: 8 }),
    margin,
  };
}

const stateValues = (margin: MarginPlugin): Record<string, number> =>
  Object.fromEntries(Object.entries(margin.getState!().tensors ?? {}).map(([k, t]) => [k, t.dataSync()[0] as number]));

describe.each([
  ['curricularFace', () => curricularFace({ s: 16 }), { t: 0 }],
  ['adaface', () => adaface({ s: 16 }), { batchMean: 20, batchStd: 100 }],
] as const)('%s state survives a trainer checkpoint', (_, makeMargin, initial) => {
  test('restored into a fresh trainer, the run continues exactly as an uninterrupted one', async () => {
    const full = parts(makeMargin());
    const uninterrupted = createTrainer({ ...full, config });
    const fullLosses: number[] = [];
    uninterrupted.on('step', (e) => fullLosses.push(e.loss));
    await uninterrupted.fit({ handleSigint: false });
    const fullState = stateValues(full.margin);
    uninterrupted.dispose();

    const first = parts(makeMargin());
    const a = createTrainer({ ...first, config });
    const losses: number[] = [];
    const stop = new AbortController();
    a.on('step', (e) => {
      losses.push(e.loss);
      if (e.step === 5) stop.abort();
    });
    await a.fit({ signal: stop.signal, handleSigint: false });
    const saved = await a.checkpointContents();
    const savedState = stateValues(first.margin);
    a.dispose();
    // The statistics moved away from their initial values, and the checkpoint holds them.
    for (const [k, v] of Object.entries(initial)) expect(savedState[k]).not.toBe(v);
    for (const k of Object.keys(initial)) expect([...saved.tensors.keys()]).toContain(`state/${first.margin.name}/${k}`);

    const second = parts(makeMargin());
    expect(stateValues(second.margin)).toEqual(initial);
    const b = createTrainer({ ...second, config });
    b.restore(saved);
    expect(stateValues(second.margin)).toEqual(savedState);
    b.on('step', (e) => losses.push(e.loss));
    await b.fit({ handleSigint: false });
    expect(losses).toEqual(fullLosses);
    expect(stateValues(second.margin)).toEqual(fullState);
    b.dispose();
    for (const p of [full, first, second]) {
      p.margin.dispose!();
      p.centers.dispose!();
      p.backbone.module.dispose();
    }
  });
});
