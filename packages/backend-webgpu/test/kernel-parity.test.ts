/**
 * Kernel parity: every case of the kit (`@fr/core/testing`), forward and gradient, on webgpu
 * against the cpu backend, under each case's stated tolerance. Part of `npm run test:webgpu`
 * (FR_BACKEND=webgpu: minutes on lavapipe); skips, saying why, where no WebGPU adapter exists
 * (here: Dawn needs a Vulkan driver; lavapipe for tests, see the README).
 */
import { afterAll, describe, expect, test } from 'vitest';
import { selectBackend, tf } from '@fr/core';
import { KERNEL_PARITY_CASES, checkKernelParity, formatKernelParity, type KernelParityResult } from '@fr/core/testing';
import '@fr/backend-cpu';
import '../src/index.js';

const setup = process.env.FR_BACKEND !== 'webgpu'
  ? { ok: false as const, reason: 'FR_BACKEND is not webgpu (run `npm run test:webgpu`)' }
  : await selectBackend('webgpu', { log: null }).then(
    (info) => ({ ok: true as const, info }),
    (error: unknown) => ({ ok: false as const, reason: error instanceof Error ? error.message : String(error) }),
  );
if (setup.ok) {
  // Small tensors still on the host would otherwise run through tfjs-backend-webgpu's cpu
  // hand-off (WEBGPU_CPU_FORWARD): compare the GPU shaders themselves.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  console.info(`[parity] webgpu ${Object.entries(setup.info.facts).map(([k, v]) => `${k}=${v}`).join(' ')}`);
} else {
  console.warn(`[parity] webgpu skipped: ${setup.reason}`);
}
const results: KernelParityResult[] = [];

describe.skipIf(!setup.ok)('kernel parity: webgpu against cpu', () => {
  for (const c of KERNEL_PARITY_CASES) {
    test(`${c.group}: ${c.name}`, async () => {
      const result = await checkKernelParity(c, { backend: 'webgpu' });
      results.push(result);
      expect(result.problems, `${c.name} on webgpu differs from cpu`).toEqual([]);
    });
  }

  afterAll(() => {
    if (results.length > 0) console.info(formatKernelParity(results));
  });
});
