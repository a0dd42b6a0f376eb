/**
 * Kernel parity: every op case of `cases.ts`, forward and gradient, on the backend named by
 * FR_BACKEND (default wasm) against the cpu backend, under each case's stated tolerance.
 *
 *   FR_BACKEND=webgpu npx vitest run packages/core/test/parity
 *
 * A backend named in FR_BACKEND that is not available here (no WebGPU adapter, tfjs-node not
 * installed) skips with the reason; the default (wasm) must always work.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/index.js';
import { CASES } from './cases.js';
import { caseInputs, compare, runCase, type Diff } from './harness.js';

const explicit = (process.env.FR_BACKEND ?? '').trim().toLowerCase();
const requested = explicit || 'wasm';

const setup = await selectBackend(requested, { log: null }).then(
  (info) => ({ ok: true as const, info }),
  (error: unknown) => ({ ok: false as const, reason: error instanceof Error ? error.message : String(error) }),
);
if (setup.ok && setup.info.name === 'webgpu') {
  // Small tensors still on the host would otherwise run through tfjs-backend-webgpu's cpu
  // hand-off (WEBGPU_CPU_FORWARD): compare the GPU shaders themselves.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
}
const target = setup.ok ? setup.info.name : requested;

interface Row {
  readonly name: string;
  readonly fwd: number;
  readonly bwd: number | null;
  readonly kernels: readonly string[];
}
const rows: Row[] = [];
const worst = (diffs: readonly Diff[]): number => diffs.reduce((m, d) => Math.max(m, d.maxAbs), 0);

describe(`kernel parity: ${target} against cpu`, () => {
  test(`backend ${requested} is available`, (ctx) => {
    if (!setup.ok) {
      if (explicit) {
        console.warn(`[parity] skipped: FR_BACKEND=${explicit} is not available here: ${setup.reason}`);
        ctx.skip(`FR_BACKEND=${explicit} is not available here: ${setup.reason}`);
      }
      throw new Error(setup.reason);
    }
    const facts = Object.entries(setup.info.facts).map(([k, v]) => `${k}=${v}`).join(' ');
    console.info(`[parity] ${setup.info.name} ${facts}`);
  });

  for (const c of CASES) {
    test.skipIf(!setup.ok)(`${c.group}: ${c.name}`, async () => {
      const inputs = caseInputs(c);
      await tf.setBackend('cpu');
      const ref = await runCase(c, inputs);
      await tf.setBackend(target);
      const tensorsBefore = tf.memory().numTensors;
      const got = await runCase(c, inputs);
      expect(tf.memory().numTensors, 'tensors leaked by the case').toBe(tensorsBefore);

      const fwd = got.outputs.map((o, i) => compare(o, ref.outputs[i]!, c.fwd));
      const bwd = got.grads.map((g, i) => compare(g, ref.grads[i]!, c.bwd ?? c.fwd));
      rows.push({ name: c.name, fwd: worst(fwd), bwd: c.grad.length ? worst(bwd) : null, kernels: [...got.kernels].sort() });

      expect(got.outputs.length).toBe(ref.outputs.length);
      expect(got.grads.length).toBe(ref.grads.length);
      const problems = [
        ...fwd.flatMap((d, i) => (d.problem ? [`output ${i}: ${d.problem}`] : [])),
        ...bwd.flatMap((d, i) => (d.problem ? [`gradient of input ${c.grad[i]}: ${d.problem}`] : [])),
      ];
      expect(problems, `${c.name} on ${target} differs from cpu`).toEqual([]);
      const unlisted = c.kernels.filter((k) => !got.kernels.has(k));
      expect(unlisted, `kernels listed for "${c.name}" in cases.ts but not run`).toEqual([]);
    });
  }

  afterAll(() => {
    if (rows.length === 0) return;
    const fmt = (v: number | null): string => (v == null ? '-' : v === 0 ? '0' : v.toExponential(1));
    const lines = rows.map((r) => `  ${r.name.padEnd(48)} fwd ${fmt(r.fwd).padStart(7)}  grad ${fmt(r.bwd).padStart(7)}  [${r.kernels.join(' ')}]`);
    console.info(`[parity] ${target} vs cpu, max |diff| per case:\n${lines.join('\n')}`);
  });
});
