/**
 * Kernel parity: every case of the kit (`@fr/core/testing`), forward and gradient, on wasm
 * against the cpu backend, under each case's stated tolerance. The reference is tfjs' own cpu
 * kernels (the cpu provider, which swaps in @fr's filter gradients, is never set up here).
 */
import { afterAll, describe, expect, test } from 'vitest';
import { selectBackend } from '@fr/core';
import { KERNEL_PARITY_CASES, checkKernelParity, formatKernelParity, type KernelParityResult } from '@fr/core/testing';
import '../src/index.js';

await selectBackend('wasm', { log: null });
const results: KernelParityResult[] = [];

describe('kernel parity: wasm against cpu', () => {
  for (const c of KERNEL_PARITY_CASES) {
    test(`${c.group}: ${c.name}`, async () => {
      const result = await checkKernelParity(c, { backend: 'wasm' });
      results.push(result);
      expect(result.problems, `${c.name} on wasm differs from cpu`).toEqual([]);
    });
  }

  afterAll(() => {
    if (results.length > 0) console.info(formatKernelParity(results));
  });
});
