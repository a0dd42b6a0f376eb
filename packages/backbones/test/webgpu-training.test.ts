/**
 * Training on webgpu through the @fr trainer, for every backbone family (IResNet, MobileFaceNet,
 * ViT with the SE gate): same losses as the cpu backend over a short run, flat tensor counts, and
 * checkpoints moving webgpu → wasm and wasm → webgpu. Part of `npm run test:webgpu`; skips (saying
 * why) where no WebGPU adapter exists. Runs only when FR_BACKEND=webgpu (it is slow on lavapipe).
 */
import { describe, expect, test, type TestContext } from 'vitest';
import { Rng, createTrainer, fullFC, selectBackend, syntheticIdentities, tf, type CheckpointContents } from '@fr/core';
import { arcface } from '@fr/loss-arcface';
import { createBackbone } from '../src/index.js';

const wanted = process.env.FR_BACKEND === 'webgpu';
const setup = wanted
  ? await selectBackend('webgpu', { log: null }).then(() => null, (e: unknown) => (e instanceof Error ? e.message : String(e)))
  : 'FR_BACKEND is not webgpu (run `npm run test:webgpu`)';

function requireWebGPU(ctx: TestContext): void {
  if (setup !== null) ctx.skip(`webgpu training tests skipped: ${setup}`);
}

const SIZE = 32;
// A small lr keeps 4–6 steps of a tiny-batch BN network out of the chaotic regime where float32
// rounding differences between any two backends (cpu vs wasm included) grow by 1000× per step.
const CLASSES = 6;
const nets = {
  iresnet18: () => createBackbone('iresnet18', { inputSize: SIZE, embeddingSize: 32, widthMultiplier: 0.125 }, { rng: Rng.fromSeed(3) }),
  mobilefacenet: () => createBackbone('mobilefacenet', { inputSize: SIZE, embeddingSize: 32, widthMultiplier: 0.25 }, { rng: Rng.fromSeed(3) }),
  vit: () => createBackbone('vit_t', { inputSize: SIZE, patchSize: 8, dim: 32, depth: 2, heads: 4, embeddingSize: 32, seGate: true, maskRatio: 0.25 }, { rng: Rng.fromSeed(3) }),
} as const;

function trainer(net: keyof typeof nets, steps: number) {
  return createTrainer({
    backbone: nets[net](),
    centers: fullFC({ numClasses: CLASSES, embeddingSize: 32, seed: 4 }),
    margin: arcface({ s: 32, m: 0.3 }),
    dataset: syntheticIdentities({ numClasses: CLASSES, imagesPerClass: 8, inputSize: SIZE, seed: 5 }),
    config: { batchSize: 8, steps, seed: 6, optimizer: { type: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }, log: { progress: false } },
  });
}

async function losses(backend: 'cpu' | 'wasm' | 'webgpu', net: keyof typeof nets, steps: number, from?: CheckpointContents): Promise<{ losses: number[]; tensors: number[]; saved: CheckpointContents }> {
  await selectBackend(backend, { log: null });
  const t = trainer(net, steps);
  if (from) {
    t.restore(from, 'checkpoint from another backend');
    // Every weight, optimiser slot and state tensor arrives bit for bit on this backend.
    const restored = await t.checkpointContents();
    expect([...restored.tensors.keys()].sort()).toEqual([...from.tensors.keys()].sort());
    for (const [name, tensor] of from.tensors) expect(Array.from(restored.tensors.get(name)!.data), name).toEqual(Array.from(tensor.data));
    // …and so does the JSON state (step, RNG, plugins); only the backend, the time and the run length differ.
    const { backend: _b, createdAt: _c, config: _f, totalSteps: _t, ...state } = restored.meta;
    const { backend: _b2, createdAt: _c2, config: _f2, totalSteps: _t2, ...expected } = from.meta;
    expect(state).toEqual(expected);
  }
  const out: number[] = [];
  const tensors: number[] = [];
  t.on('step', (e) => {
    out.push(e.loss);
    tensors.push(tf.memory().numTensors);
  });
  await t.fit({ handleSigint: false });
  const saved = await t.checkpointContents();
  t.dispose();
  return { losses: out, tensors, saved };
}

const close = (a: number[], b: number[], rtol: number) => a.forEach((x, i) => expect(Math.abs(x - (b[i] as number))).toBeLessThanOrEqual(rtol * Math.abs(b[i] as number) + 1e-3));

describe('training on webgpu', () => {
  for (const net of Object.keys(nets) as (keyof typeof nets)[]) {
    test(`${net}: same losses as cpu, flat tensor count`, async (ctx) => {
      requireWebGPU(ctx);
      const cpu = await losses('cpu', net, 4);
      const gpu = await losses('webgpu', net, 4);
      expect(gpu.losses.every(Number.isFinite)).toBe(true);
      expect(gpu.losses.some((l) => l > 0)).toBe(true); // a broken pipeline reads back zeros
      close(gpu.losses, cpu.losses, 2e-3);
      expect(new Set(gpu.tensors.slice(1)).size).toBe(1);
    });
  }

  test('checkpoints move webgpu → wasm and wasm → webgpu', async (ctx) => {
    requireWebGPU(ctx);
    // 2 + 2 steps, like the parity runs above: by step 6 even an uninterrupted wasm run is 3e-3
    // away from cpu (rounding growing through batch norm), which says nothing about checkpoints.
    const reference = await losses('cpu', 'mobilefacenet', 4);
    const first = await losses('webgpu', 'mobilefacenet', 2);
    const onWasm = await losses('wasm', 'mobilefacenet', 4, first.saved);
    expect(onWasm.losses).toHaveLength(2); // resumed at step 2, not from scratch
    close([...first.losses, ...onWasm.losses], reference.losses, 2e-3);
    const start = await losses('wasm', 'mobilefacenet', 2);
    const onGpu = await losses('webgpu', 'mobilefacenet', 4, start.saved);
    expect(onGpu.losses).toHaveLength(2);
    close([...start.losses, ...onGpu.losses], reference.losses, 2e-3);
  });
});
