import { afterEach, describe, expect, test } from 'vitest';
import { tf, selectBackend, describeBackend } from '../src/index.js';

const saved = process.env.FR_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.FR_BACKEND;
  else process.env.FR_BACKEND = saved;
});

describe('selectBackend', () => {
  test('unknown names are rejected with the valid choices', async () => {
    await expect(selectBackend('gpu', { log: null })).rejects.toThrow(/Unknown backend "gpu" \(from the option\); expected one of: auto, tensorflow, webgpu, wasm, cpu/);
    process.env.FR_BACKEND = 'cuda';
    await expect(selectBackend(undefined, { log: null })).rejects.toThrow(/from FR_BACKEND/);
  });

  test('FR_BACKEND picks the backend when no option is given', async () => {
    process.env.FR_BACKEND = 'cpu';
    const info = await selectBackend(undefined, { log: null });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  test('auto falls through to wasm here and logs why each earlier choice was skipped', async () => {
    const lines: string[] = [];
    const info = await selectBackend('auto', { log: (l) => lines.push(l) });
    expect(['tensorflow', 'webgpu', 'wasm']).toContain(info.name);
    if (info.name === 'wasm') {
      expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow', 'webgpu']);
      expect(info.skipped[0]?.reason).toMatch(/@tensorflow\/tfjs-node(-gpu)? is not installed/);
      expect(info.facts.simd).toBe(true);
    }
    expect(lines).toEqual([describeBackend(info)]);
    expect(lines[0]).toMatch(new RegExp(`^\\[fr\\] backend ${info.name} .*requested auto`));
  });

  test('a backend asked for by name must work, or the error says why', async () => {
    let tensorflowInstalled = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      tensorflowInstalled = false;
    }
    if (!tensorflowInstalled) await expect(selectBackend('tensorflow', { log: null })).rejects.toThrow(/Backend "tensorflow" is not available here \(tensorflow: .*not installed/);
    const wasm = await selectBackend('wasm', { log: null });
    expect(wasm).toMatchObject({ name: 'wasm', requested: 'wasm', threads: 1 });
  });
});
