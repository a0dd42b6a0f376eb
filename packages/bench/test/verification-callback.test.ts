import { describe, expect, test } from 'vitest';
import { createTrainer, defineMargin, fullFC, selectBackend, syntheticIdentities, tf } from '@fr/core';
import { tinyBackbone } from '@fr/core/testing';
import { VerificationSet, encodeJpeg } from '@fr/data';
import { verificationCallback } from '../src/index.js';

/** A small .bin-style verification set: pairs of synthetic identities, JPEG-encoded. */
function syntheticPairs(size: number): VerificationSet {
  const ids = syntheticIdentities({ numClasses: 10, imagesPerClass: 6, inputSize: size, seed: 21 });
  const jpeg = (index: number): Uint8Array => {
    const x = ids.image(index);
    return encodeJpeg({ width: size, height: size, data: Uint8Array.from(x, (v) => Math.round((v + 1) * 127.5)) });
  };
  const images: Uint8Array[] = [];
  const issame: boolean[] = [];
  for (let k = 0; k < 40; k++) {
    const a = k % 10;
    const b = k % 2 === 0 ? a : (a + 3) % 10;
    images.push(jpeg(a * 6 + (k % 3)), jpeg(b * 6 + 3 + (k % 3)));
    issame.push(a === b);
  }
  return VerificationSet.fromBinData({ images, issame }, 'synthetic.bin');
}

describe('verificationCallback', () => {
  test('evaluates the backbone every N steps through the trainer\'s eval events', async () => {
    await selectBackend('cpu', { log: null });
    const trainer = createTrainer({
      backbone: tinyBackbone({ inputSize: 16, embeddingSize: 16 }),
      centers: fullFC({ numClasses: 6, embeddingSize: 16 }),
      margin: defineMargin({ name: 'norm-softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 16) as tf.Tensor2D }) }),
      dataset: syntheticIdentities({ numClasses: 6, imagesPerClass: 8, inputSize: 16 }),
      config: { batchSize: 16, steps: 4, optimizer: { type: 'sgd', lr: 0.05 }, log: { progress: false } },
      callbacks: [verificationCallback(syntheticPairs(16), { every: 2, name: 'synthetic', workers: 0 })],
    });
    const evals: { step: number; name: string; metrics: Record<string, number> }[] = [];
    trainer.on('eval', (e) => evals.push(e));
    await trainer.fit({ handleSigint: false });
    trainer.dispose();
    expect(evals.map((e) => [e.step, e.name])).toEqual([[2, 'synthetic'], [4, 'synthetic']]);
    for (const e of evals) {
      expect(Object.keys(e.metrics).sort()).toEqual(['accuracy', 'auc', 'std', 'xnorm']);
      expect(e.metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(e.metrics.accuracy).toBeLessThanOrEqual(1);
    }
  });
});
