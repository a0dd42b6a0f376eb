/**
 * The cpu provider: registered on import with its capabilities, and setting it up swaps in @fr's
 * filter-gradient kernels.
 */
import { describe, expect, test } from 'vitest';
import { backendCapabilities, findBackendProvider, selectBackend, tf } from '@fr/core';
import { CPU_KERNELS, cpuProvider } from '../src/index.js';

describe('@fr/backend-cpu', () => {
  test('importing it registers the cpu provider, last in auto, reading synchronously', () => {
    expect(findBackendProvider('cpu')).toBe(cpuProvider);
    expect(cpuProvider).toMatchObject({ name: 'cpu', priority: 10, readsSync: true });
  });

  test('selectBackend("cpu") activates it with @fr\'s kernels; its capabilities answer for the current backend', async () => {
    const info = await selectBackend('cpu', { log: null });
    expect(info).toMatchObject({ name: 'cpu', threads: 1, requested: 'cpu' });
    for (const [name, kernelFunc] of CPU_KERNELS) expect(tf.getKernel(name, 'cpu')?.kernelFunc, name).toBe(kernelFunc);
    expect(backendCapabilities()).toMatchObject({ backend: 'cpu', known: true, readsSync: true });
    expect(backendCapabilities().drainDeviceErrors()).toEqual([]);
  });
});
