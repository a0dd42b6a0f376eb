import { beforeAll, describe, expect, test } from 'vitest';
import { tf, createTrainer, fullFC, selectBackend, syntheticIdentities, type HostBatch, type TrainingDataset } from '@fr/core';
import { tinyBackbone } from '@fr/core/testing';
import { boundaryFace, type BoundaryCorrectionEvent } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** A synthetic identity set with a fixed few percent of its labels flipped (closed-set noise). */
function noisyIdentities(numClasses: number, imagesPerClass: number) {
  const clean = syntheticIdentities({ numClasses, imagesPerClass, inputSize: 16, seed: 4 });
  const flipped = new Map<string, { trueLabel: number; noisyLabel: number }>();
  for (let i = 0; i < clean.size; i++) {
    if (i % 19 !== 7) continue; // 5 of 96 images: ≈ 5 %
    const trueLabel = clean.label(i);
    flipped.set(`synthetic#${i}`, { trueLabel, noisyLabel: (trueLabel + 1 + (i % (numClasses - 1))) % numClasses });
  }
  // The trainer hands each batch's `labels` array to the plugins as ctx.hostLabels: keyed by it,
  // a correction report maps back to the batch's ids (file paths in a real data set).
  const idsOf = new WeakMap<Int32Array, readonly string[]>();
  const dataset: TrainingDataset = {
    numClasses: clean.numClasses,
    size: clean.size,
    async *batches(request) {
      for await (const batch of clean.batches(request)) {
        const ids = batch.ids ?? [];
        const labels = Int32Array.from(batch.labels, (y, k) => flipped.get(ids[k] as string)?.noisyLabel ?? y);
        idsOf.set(labels, ids);
        yield { ...batch, labels } satisfies HostBatch;
      }
    },
  };
  return { dataset, flipped, idsOf };
}

describe('BoundaryFace trains on noisy labels', () => {
  test('tinyBackbone + fullFC + boundaryFace, 5 % flipped labels, 60 steps: finite, corrections only after epochStart', async () => {
    const numClasses = 8;
    const { dataset, flipped, idsOf } = noisyIdentities(numClasses, 12);
    const events: BoundaryCorrectionEvent[] = [];
    // 96 images / 16 = 6 steps per epoch; correction from trainer epoch 4 (step 24) on.
    const margin = boundaryFace({ epochStart: 3, onCorrection: (e) => events.push(e) });
    expect(margin.firstCorrectedEpoch).toBe(4);
    const centers = fullFC({ numClasses, embeddingSize: 16, init: 'xavier', seed: 3 });
    const backbone = tinyBackbone({ inputSize: 16, embeddingSize: 16, width: 8, seed: 1 });
    const trainer = createTrainer({
      backbone, centers, margin, dataset,
      config: { batchSize: 16, steps: 60, seed: 2, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 }, log: { progress: false } },
    });
    const steps: { epoch: number; loss: number; reg: number; corrected: number; tensors: number; reportsSoFar: number }[] = [];
    trainer.on('step', (e) => steps.push({
      epoch: e.epoch, loss: e.loss, reg: e.terms['boundaryface/reg'] as number, corrected: e.metrics['boundaryface/corrected'] as number, tensors: tf.memory().numTensors,
      reportsSoFar: events.length,
    }));
    const result = await trainer.fit({ handleSigint: false });
    expect(result.reason).toBe('completed');
    expect(steps).toHaveLength(60);
    expect(steps.every((s) => Number.isFinite(s.loss) && Number.isFinite(s.reg))).toBe(true);

    const before = steps.filter((s) => s.epoch < 4);
    const after = steps.filter((s) => s.epoch >= 4);
    expect(before.every((s) => s.corrected === 0 && s.reg === 0)).toBe(true);
    expect(after.reduce((n, s) => n + s.corrected, 0)).toBeGreaterThan(0);
    expect(after.some((s) => s.reg > 0)).toBe(true);

    // Delivered by the trainer's onStepEnd: each step's report is in before its step event.
    steps.forEach((s, i) => expect(s.reportsSoFar).toBe(steps.slice(0, i + 1).filter((t) => t.epoch >= 4).length));
    // One report per training step after epochStart, agreeing with the step metric.
    expect(events.map((e) => e.step)).toEqual(steps.map((_, i) => i).filter((i) => (steps[i] as { epoch: number }).epoch >= 4));
    events.forEach((e) => expect(e.corrections.length).toBe(steps[e.step]!.corrected));
    // Every record maps back to a sample id and carries the label the dataset gave it.
    const records = events.flatMap((e) => e.corrections.map((c) => ({ ...c, id: e.ids?.[c.position], given: e.batchLabels[c.position] })));
    // The ids also come through the contract (ctx.ids), equal to the batch's own.
    for (const e of events) expect(e.ids).toEqual(idsOf.get(e.batchLabels));
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r.id).toMatch(/^synthetic#\d+$/);
      expect(r.label).toBe(r.given);
      expect(r.newLabel).not.toBe(r.label);
    }
    // Deterministic on the cpu backend: 6 corrections, 5 of which give a flipped image its true label back.
    const restored = records.filter((r) => flipped.get(r.id as string)?.trueLabel === r.newLabel);
    expect(restored.length).toBeGreaterThan(records.length / 2);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(steps.slice(-6).map((s) => s.loss))).toBeLessThan(mean(steps.slice(0, 6).map((s) => s.loss)));
    // The reports' read-back tensors are released: the tensor count stays flat across steps.
    expect(new Set(steps.slice(1).map((s) => s.tensors)).size).toBe(1);
    trainer.dispose();
    centers.dispose!();
    backbone.module.dispose();
  });
});
