/** A TensorFlow.js Tensor2D (through @fr/core) is accepted as embeddings, structurally. */
import { expect, it } from 'vitest';
import { selectBackend, tf } from '@fr/core';
import { evaluateVerification, identificationAccuracy, type TensorLike2D } from '@fr/bench';
import { syntheticPairs } from './helpers.js';

it('evaluateVerification and identificationAccuracy accept tf.Tensor2D', async () => {
  await selectBackend('cpu', { log: null });
  const { embeddings, flipped, issame } = syntheticPairs(40, 8, 17);
  const e = tf.tensor2d(embeddings);
  const f = tf.tensor2d(flipped);
  const asTensorLike: TensorLike2D = e; // compile-time check of the structural type
  const fromTensors = evaluateVerification(asTensorLike, issame, { flipped: f });
  const fromArrays = evaluateVerification(embeddings, issame, { flipped });
  expect(Array.from(fromTensors.distances)).toEqual(Array.from(fromArrays.distances));
  expect(fromTensors.accuracyMean).toBe(fromArrays.accuracyMean);
  const id = identificationAccuracy({ gallery: e, galleryLabels: embeddings.map((_, i) => i), probes: f, probeLabels: flipped.map((_, i) => i) });
  expect(id.galleryCount).toBe(80);
  expect(() => evaluateVerification(tf.tensor1d([1, 2]) as unknown as TensorLike2D, [true])).toThrow(/expected a 2-D tensor/);
  tf.dispose([e, f]);
});
