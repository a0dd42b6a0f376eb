/**
 * backendCapabilities(): the current backend's provider answers (also after a plain
 * tf.setBackend), an unknown backend gets the conservative answer, and the trainer stops a step
 * whose device reported an error, through the provider's drainDeviceErrors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { tf, backendCapabilities, createTrainer, defineMargin, fullFC, selectBackend, syntheticIdentities } from '../src/index.js';
import { registerCpuTwinBackend, tinyBackbone } from '../src/testing/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

describe('backendCapabilities', () => {
  test('the selected backend\'s provider answers', async () => {
    await selectBackend('wasm', { log: null });
    expect(backendCapabilities()).toMatchObject({ backend: 'wasm', known: true, readsSync: true });
    expect(backendCapabilities().drainDeviceErrors()).toEqual([]);
  });

  test('a backend made current with tf.setBackend is looked up by its tfjs name', async () => {
    await selectBackend('wasm', { log: null });
    await tf.setBackend('cpu');
    expect(backendCapabilities()).toMatchObject({ backend: 'cpu', known: true, readsSync: true });
  });

  test('a backend no provider registered gets the conservative answer', async () => {
    const CpuBackend = tf.engine().findBackend('cpu')!.constructor as new () => tf.KernelBackend;
    tf.registerBackend('fr-test-unregistered', () => new CpuBackend());
    await tf.setBackend('fr-test-unregistered');
    const caps = backendCapabilities();
    expect(caps).toMatchObject({ backend: 'fr-test-unregistered', known: false, readsSync: false });
    expect(caps.drainDeviceErrors()).toEqual([]);
  });

  test('the answer is the provider\'s declaration, not a property of the backend\'s name or kind', async () => {
    registerCpuTwinBackend('fr-test-no-sync', { readsSync: false });
    const info = await selectBackend('fr-test-no-sync', { log: null });
    expect(info).toMatchObject({ name: 'fr-test-no-sync', facts: { twinOf: 'cpu' } });
    expect(backendCapabilities()).toMatchObject({ backend: 'fr-test-no-sync', known: true, readsSync: false });
    expect(() => registerCpuTwinBackend('cpu', { readsSync: false })).toThrow(/needs a name of its own/);
    await selectBackend('cpu', { log: null });
  });
});

describe('device errors reach the trainer through the provider', () => {
  test('a step whose device reported an error fails, naming the backend and the error, and is not applied', async () => {
    const pending: string[] = [];
    registerCpuTwinBackend('fr-test-device', { readsSync: true, drainDeviceErrors: () => pending.splice(0) });
    await selectBackend('fr-test-device', { log: null });
    const numClasses = 4;
    const backbone = tinyBackbone({ inputSize: 8, embeddingSize: 8, seed: 5 });
    const trainer = createTrainer({
      backbone,
      centers: fullFC({ numClasses, embeddingSize: 8, seed: 9 }),
      margin: defineMargin({ name: 'norm-softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 8) as tf.Tensor2D }) }),
      dataset: syntheticIdentities({ numClasses, imagesPerClass: 4, inputSize: 8, seed: 11 }),
      config: { batchSize: 8, steps: 2, seed: 3, optimizer: { type: 'sgd', lr: 0.5 }, log: { progress: false } },
    });
    const before = [...backbone.module.stateDict().values()].map((v) => Array.from(v.dataSync()));
    pending.push('WebGPU-style validation error: invalid pipeline');
    await expect(trainer.fit({ handleSigint: false })).rejects.toThrow(
      'The fr-test-device device reported an error during step 0; the update was not applied: WebGPU-style validation error: invalid pipeline',
    );
    expect(trainer.step).toBe(0);
    expect([...backbone.module.stateDict().values()].map((v) => Array.from(v.dataSync()))).toEqual(before);
    // Drained: nothing is left for the next step.
    expect(backendCapabilities().drainDeviceErrors()).toEqual([]);
    trainer.dispose();
  });
});
