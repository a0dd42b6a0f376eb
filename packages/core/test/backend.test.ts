/**
 * selectBackend over the provider registry: names, FR_BACKEND, `auto`'s order by priority and its
 * log line, explicit names that must work, and providers that fail or throw. The `@fr/backend-*`
 * packages are loaded on demand (in tests, from their sources through the vitest alias).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { tf, selectBackend, describeBackend, registerBackendProvider, findBackendProvider, importOptional, type BackendProvider } from '../src/index.js';

const saved = process.env.FR_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.FR_BACKEND;
  else process.env.FR_BACKEND = saved;
});

/** A provider of the public seam that can never set up (what a backend without its device does). */
function unavailable(name: string, priority: number, reason: string): BackendProvider {
  return { name, priority, readsSync: true, drainDeviceErrors: () => [], setup: async () => ({ ok: false, reason }) };
}

describe('selectBackend', () => {
  test('unknown names are rejected with the valid choices', async () => {
    await expect(selectBackend('gpu', { log: null })).rejects.toThrow(/Unknown backend "gpu" \(from the option\); expected one of: auto, tensorflow, webgpu, wasm, cpu/);
    process.env.FR_BACKEND = 'cuda';
    await expect(selectBackend(undefined, { log: null })).rejects.toThrow(/from FR_BACKEND/);
  });

  test('FR_BACKEND picks the backend when no option is given; its package is loaded on demand', async () => {
    process.env.FR_BACKEND = 'cpu';
    const info = await selectBackend(undefined, { log: null });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(findBackendProvider('cpu')?.priority).toBe(10);
  });

  test('auto loads the installed backend packages, falls through to wasm here and logs why each earlier choice was skipped', async () => {
    const lines: string[] = [];
    const info = await selectBackend('auto', { log: (l) => lines.push(l) });
    expect(['tensorflow', 'webgpu', 'wasm']).toContain(info.name);
    for (const name of ['tensorflow', 'webgpu', 'wasm', 'cpu']) expect(findBackendProvider(name), name).toBeDefined();
    if (info.name === 'wasm') {
      expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow', 'webgpu']);
      expect(info.skipped[0]?.reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed \(npm i @tensorflow\/tfjs-node-gpu\); @tensorflow\/tfjs-node is not installed/);
      expect(info.facts.simd).toBe(true);
    }
    expect(lines).toEqual([describeBackend(info)]);
    expect(lines[0]).toMatch(new RegExp(`^\\[fr\\] backend ${info.name} .*requested auto`));
  });

  test('a registered provider takes its place in auto by priority, and its reason is reported', async () => {
    registerBackendProvider(unavailable('fr-test-first', 1000, 'no such device here'));
    registerBackendProvider(unavailable('fr-test-last', -1, 'never reached'));
    registerBackendProvider({ ...unavailable('fr-test-throws', 999, ''), setup: () => Promise.reject(new Error('driver crashed\nlong native stack')) });
    const info = await selectBackend('auto', { log: null });
    expect(info.skipped.slice(0, 2)).toEqual([
      { backend: 'fr-test-first', reason: 'no such device here' },
      { backend: 'fr-test-throws', reason: 'setup threw: driver crashed' },
    ]);
    expect(info.skipped.map((s) => s.backend)).not.toContain('fr-test-last');
    await expect(selectBackend('fr-test-first', { log: null })).rejects.toThrow('Backend "fr-test-first" is not available here (fr-test-first: no such device here)');
    await expect(selectBackend('gpu', { log: null })).rejects.toThrow(/expected one of: auto, tensorflow, webgpu, wasm, cpu, .*fr-test-first/);
  });

  test('a backend asked for by name must work, or the error says why', async () => {
    const tfjsNode = await importOptional('@tensorflow/tfjs-node');
    if (!tfjsNode.ok) await expect(selectBackend('tensorflow', { log: null })).rejects.toThrow(/^Backend "tensorflow" is not available here \(tensorflow: @tensorflow\/tfjs-node-gpu is not installed/);
    const wasm = await selectBackend('wasm', { log: null });
    expect(wasm).toMatchObject({ name: 'wasm', requested: 'wasm', threads: 1 });
  });
});

describe('registerBackendProvider', () => {
  test('rejects a provider without a usable name or capabilities, naming what is missing', () => {
    expect(() => registerBackendProvider(unavailable('auto', 1, ''))).toThrow(/needs a name other than "auto"/);
    expect(() => registerBackendProvider({ ...unavailable('fr-test-x', 1, ''), readsSync: undefined } as unknown as BackendProvider)).toThrow('provider "fr-test-x" has no readsSync (boolean)');
    expect(() => registerBackendProvider({ ...unavailable('fr-test-x', 1, ''), drainDeviceErrors: undefined } as unknown as BackendProvider)).toThrow('provider "fr-test-x" has no drainDeviceErrors (function)');
    expect(findBackendProvider('fr-test-x')).toBeUndefined();
  });
});
