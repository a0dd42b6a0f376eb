/**
 * The wasm provider: importing the package registers it (and the cpu provider, whose kernels it
 * falls back on), and setting it up registers @fr's training kernels.
 */
import { describe, expect, test } from 'vitest';
import { backendCapabilities, findBackendProvider, selectBackend, tf } from '@fr/core';
import { cpuProvider } from '@fr/backend-cpu';
import { WASM_TRAINING_KERNELS, wasmProvider } from '../src/index.js';

describe('@fr/backend-wasm', () => {
  test('importing it registers the wasm provider (and cpu\'s), reading synchronously', () => {
    expect(findBackendProvider('wasm')).toBe(wasmProvider);
    expect(findBackendProvider('cpu')).toBe(cpuProvider);
    expect(wasmProvider).toMatchObject({ name: 'wasm', priority: 20, readsSync: true });
  });

  test('selectBackend("wasm") activates the SIMD build with the training kernels', async () => {
    const info = await selectBackend('wasm', { log: null });
    expect(info).toMatchObject({ name: 'wasm', threads: 1, facts: { simd: true } });
    for (const name of WASM_TRAINING_KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    expect(backendCapabilities()).toMatchObject({ backend: 'wasm', known: true, readsSync: true });
    expect(backendCapabilities().drainDeviceErrors()).toEqual([]);
  });
});
