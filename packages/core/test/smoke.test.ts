import { test, expect } from 'vitest';
import { tf, selectBackend } from '@fr/core';

test('gradients are registered with tfjs-core alone', async () => {
  await selectBackend('cpu', { log: null });
  const g = tf.grad((x: tf.Tensor) => tf.mean(tf.square(x)))(tf.tensor1d([1, 2]));
  expect(Array.from(g.dataSync())).toEqual([1, 2]);
});
