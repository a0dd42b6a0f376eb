/**
 * The `embed` benchmark suite on a tiny MobileFaceNet: all three runtimes (tfjs, onnxruntime-node,
 * PyTorch when python3-torch is installed) run and agree on the probe batch before any timing;
 * speeds are only reported, never asserted (performance claims come from `npm run bench`).
 */
import { expect, test } from 'vitest';
import { selectBackend } from '@fr/core';
import { parseFlags } from '@fr/core/cli';
import { benchCommand } from '../src/cli/bench-command.js';
import { embedSuite, probeBatchNCHW } from '../src/benchmarks/embed.js';
import { detectTorch } from '../src/benchmarks/torch.js';

test('probe pixels are integer arithmetic in [-1, 1] (python/embed.py computes the same)', () => {
  const p = probeBatchNCHW(4);
  expect(p.length).toBe(2 * 3 * 16);
  expect(p[0]).toBe(-1);
  expect(p[1]).toBeCloseTo((7919 % 255) / 127.5 - 1, 6);
  expect(Math.max(...p)).toBeLessThanOrEqual(1);
});

test('embed suite: tfjs, onnxruntime-node and torch agree on the probe and are timed', async () => {
  const backend = await selectBackend('wasm', { log: null });
  const torch = detectTorch();
  const args = parseFlags(['--embed-size', '16', '--embed-width', '0.0625', '--embed-batch', '2', '--threads', '1', '--steps', '1', '--reps', '1', '--warmup', '0'], benchCommand.flags);
  const result = await embedSuite.run({ args, quick: true, full: false, backend, torch, results: new Map(), outDir: null, out: () => undefined, progress: () => undefined });
  expect(result.status).toBe('ok');
  const [net] = result.data as { sides: { side: string; imagesPerSecond: number }[]; agreement: Record<string, number> }[];
  expect(net!.sides.map((s) => s.side)).toEqual(['tfjs-wasm', 'onnxruntime-node 1 thread', ...(torch.available ? ['torch 1 thread'] : [])]);
  for (const s of net!.sides) expect(s.imagesPerSecond).toBeGreaterThan(0);
  expect(Object.keys(net!.agreement).sort()).toEqual(torch.available ? ['onnxruntime', 'torch'] : ['onnxruntime']);
  for (const diff of Object.values(net!.agreement)) expect(diff).toBeLessThan(1e-4);
  expect(result.tables[0]!.rows).toHaveLength(net!.sides.length);
});
