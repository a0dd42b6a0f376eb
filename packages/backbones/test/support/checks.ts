import { expect } from 'vitest';
import { tf, Rng, type Backbone } from '@fr/core';
import { seededTensor } from './setup.js';

/** Tiny variants that train in about a second on the cpu backend. */
export const TINY = {
  iresnet: { name: 'iresnet18', options: { inputSize: 32, widthMultiplier: 0.125 } },
  mobilefacenet: { name: 'mobilefacenet', options: { inputSize: 32, widthMultiplier: 0.125, embeddingSize: 32 } },
  vit: { name: 'vit_s', options: { inputSize: 36, patchSize: 9, dim: 32, depth: 2, heads: 4, embeddingSize: 24, dropPathRate: 0, maskRatio: 0.25 } },
  transface: { name: 'transface_s', options: { inputSize: 36, patchSize: 9, dim: 32, depth: 2, heads: 4, embeddingSize: 24, dropPathRate: 0, maskRatio: 0.25 } },
} as const;

export function images(backbone: Backbone, batch: number, seed = 11): tf.Tensor4D {
  const s = backbone.preprocessing.inputSize;
  return seededTensor([batch, s, s, 3], seed) as tf.Tensor4D;
}

/**
 * A loss that reaches every parameter: a fixed random projection of the embedding (a plain sum
 * would be constant through the final BN in training mode) plus the aux outputs.
 */
export function projectionLoss(backbone: Backbone, x: tf.Tensor4D, rng: Rng): tf.Scalar {
  const { embedding, aux } = backbone.forward(x, { training: true, rng });
  let loss = tf.sum(tf.mul(embedding, seededTensor(embedding.shape, 99)));
  for (const t of Object.values(aux)) loss = tf.add(loss, tf.mul(tf.sum(tf.mul(t, seededTensor(t.shape, 7))), 0.1));
  return loss as tf.Scalar;
}

/** One variableGrads step; asserts every trainable parameter gets a finite, somewhere non-zero gradient. */
export function expectGradientsEverywhere(backbone: Backbone, batch = 4): void {
  const vars = backbone.module.trainableVariables();
  const x = images(backbone, batch);
  const { value, grads } = tf.variableGrads(() => projectionLoss(backbone, x, Rng.fromSeed(3)), [...vars.values()]);
  const missing: string[] = [];
  const bad: string[] = [];
  for (const [name, v] of vars) {
    const g = grads[v.name];
    if (!g) {
      missing.push(name);
      continue;
    }
    expect(g.shape).toEqual(v.shape);
    const data = g.dataSync();
    let finite = true;
    let nonZero = false;
    for (const d of data) {
      if (!Number.isFinite(d)) finite = false;
      if (d !== 0) nonZero = true;
    }
    if (!finite || !nonZero) bad.push(`${name} (${finite ? 'all zero' : 'non-finite'})`);
  }
  tf.dispose([value, x, ...Object.values(grads)]);
  expect(missing, 'parameters without a gradient').toEqual([]);
  expect(bad, 'parameters with a useless gradient').toEqual([]);
}

/** Repeated forward/backward steps leave the tensor count flat. */
export function expectNoLeaks(backbone: Backbone, batch = 2): void {
  const x = images(backbone, batch);
  const vars = [...backbone.module.trainableVariables().values()];
  const step = (i: number) => {
    const { value, grads } = tf.variableGrads(() => projectionLoss(backbone, x, Rng.fromSeed(i)), vars);
    tf.dispose([value, ...Object.values(grads)]);
    tf.tidy(() => {
      backbone.forward(x, { training: false, rng: Rng.fromSeed(i) });
    });
  };
  step(0);
  const before = tf.memory().numTensors;
  step(1);
  step(2);
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
}

/** Every parameter and buffer of two modules is bit-identical. */
export function expectSameState(a: Backbone, b: Backbone): void {
  const sa = a.module.stateDict();
  const sb = b.module.stateDict();
  expect([...sb.keys()]).toEqual([...sa.keys()]);
  for (const [name, va] of sa) {
    const vb = sb.get(name) as tf.Variable;
    expect(Array.from(vb.dataSync()), name).toEqual(Array.from(va.dataSync()));
  }
}

export function flat(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}
