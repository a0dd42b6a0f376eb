import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Linear, Module, Rng, createTrainer, defineMargin, fullFC, syntheticIdentities, selectBackend, type Backbone } from '../src/index.js';
import { tinyBackbone } from '../src/testing/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** A backbone without batch statistics: micro-batching must then give exactly the full-batch step. */
function linearBackbone(size: number): Backbone {
  class Net extends Module {
    readonly fc = this.child('fc', new Linear({ rng: Rng.fromSeed(1) }, { inFeatures: size * size * 3, outFeatures: 16 }));
  }
  const net = new Net();
  return {
    name: 'linear', config: { inputSize: size, embeddingSize: 16 }, embeddingSize: 16, auxOutputs: [], module: net,
    preprocessing: { inputSize: size, colorOrder: 'rgb', normalization: 'minus1to1', embeddingNormalization: 'l2' },
    forward: (x) => ({ embedding: net.fc.forward(tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D), aux: {} }),
  };
}

const margin = () => defineMargin({ name: 'norm-softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 16) as tf.Tensor2D }) });

async function run(backbone: Backbone, microBatchSize?: number): Promise<{ losses: number[]; weights: number[]; tensors: number[] }> {
  const trainer = createTrainer({
    backbone, centers: fullFC({ numClasses: 6, embeddingSize: 16, seed: 2 }), margin: margin(),
    dataset: syntheticIdentities({ numClasses: 6, imagesPerClass: 8, inputSize: 8, seed: 3 }),
    config: { batchSize: 12, microBatchSize, steps: 5, optimizer: { type: 'sgd', lr: 0.1 }, log: { progress: false } },
  });
  const losses: number[] = [];
  const tensors: number[] = [];
  trainer.on('step', (e) => {
    losses.push(e.loss);
    tensors.push(tf.memory().numTensors);
  });
  await trainer.fit({ handleSigint: false });
  trainer.dispose();
  return { losses, weights: Array.from(backbone.module.stateDict().values()).flatMap((v) => Array.from(v.dataSync())), tensors };
}

describe('micro-batches (gradient accumulation)', () => {
  test('without batch statistics, 12 = 5 + 5 + 2 accumulated equals the full batch', async () => {
    const full = await run(linearBackbone(8));
    const micro = await run(linearBackbone(8), 5);
    micro.losses.forEach((l, i) => expect(l).toBeCloseTo(full.losses[i] as number, 5));
    micro.weights.forEach((w, i) => expect(w).toBeCloseTo(full.weights[i] as number, 5));
    expect(new Set(micro.tensors.slice(1)).size).toBe(1);
  });

  test('with batch norm it trains, with flat tensor counts and a lower memory peak', async () => {
    const micro = await run(tinyBackbone({ inputSize: 8, embeddingSize: 16 }), 4);
    expect(micro.losses.every(Number.isFinite)).toBe(true);
    expect(new Set(micro.tensors.slice(1)).size).toBe(1);
    const peak = async (microBatchSize?: number) => {
      const trainer = createTrainer({
        backbone: tinyBackbone({ inputSize: 32, embeddingSize: 16 }), centers: fullFC({ numClasses: 6, embeddingSize: 16 }), margin: margin(),
        dataset: syntheticIdentities({ numClasses: 6, imagesPerClass: 8, inputSize: 32, seed: 3 }),
        config: { batchSize: 24, microBatchSize, steps: 1, optimizer: { type: 'sgd', lr: 0.1 }, log: { progress: false } },
      });
      const batch = (await syntheticIdentities({ numClasses: 6, imagesPerClass: 8, inputSize: 32, seed: 3 }).batches({ epoch: 0, seed: 1, batchSize: 24, fromBatch: 0, dropLast: true })[Symbol.asyncIterator]().next()).value;
      const info = await tf.profile(async () => {
        await trainer.trainStep(batch);
      });
      trainer.dispose();
      return info.peakBytes;
    };
    expect(await peak(6)).toBeLessThan(0.6 * (await peak()));
  });
});
