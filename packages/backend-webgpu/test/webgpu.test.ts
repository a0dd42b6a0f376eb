/**
 * The webgpu backend end to end: provider facts, `auto`'s refusal of software adapters, a short
 * training run (conv + BN + PReLU + depthwise + dense, plain SGD with tf.variableGrads) against
 * the cpu backend, flat tensor counts, and a webgpu → wasm weight hand-over.
 *
 * Always targets webgpu (whatever FR_BACKEND says); skips, saying why, where no adapter exists.
 * Here that means Dawn (npm `webgpu`) + a Vulkan driver; on a CPU-only Debian 12 machine
 * lavapipe from bookworm-backports (see this package's README).
 */
import { afterAll, describe, expect, test, type TestContext } from 'vitest';
import {
  tf, backendCapabilities, createTrainer, fullFC, selectBackend, syntheticIdentities, defineMargin, Rng,
  BatchNorm, Conv2d, DepthwiseConv2d, Linear, Module, PReLU, type ForwardContext, type InitContext,
} from '@fr/core';
import { tinyBackbone } from '@fr/core/testing';
import '@fr/backend-wasm';
import { probeWebGPUAdapter } from '../src/index.js';

const setup = await selectBackend('webgpu', { log: null }).then(
  (info) => ({ ok: true as const, info }),
  (error: unknown) => ({ ok: false as const, reason: error instanceof Error ? error.message : String(error) }),
);
if (!setup.ok) console.warn(`[webgpu] tests skipped: ${setup.reason}`);

/** Skips the test (with the reason) when webgpu is not available here. */
function requireWebGPU(ctx: TestContext): void {
  if (!setup.ok) ctx.skip(`no usable webgpu backend here: ${setup.reason}`);
}

class TinyNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly act1: PReLU;
  readonly dw: DepthwiseConv2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;
  readonly act2: PReLU;
  readonly fc: Linear;

  constructor(init: InitContext, readonly classes: number) {
    super();
    this.conv1 = this.child('conv1', new Conv2d(init, { inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1 }));
    this.bn1 = this.child('bn1', new BatchNorm({ channels: 8 }));
    this.act1 = this.child('act1', new PReLU(8));
    this.dw = this.child('dw', new DepthwiseConv2d(init, { channels: 8, kernelSize: 3, stride: 1, padding: 1 }));
    this.conv2 = this.child('conv2', new Conv2d(init, { inChannels: 8, outChannels: 8, kernelSize: 3, stride: 2, padding: 1 }));
    this.bn2 = this.child('bn2', new BatchNorm({ channels: 8 }));
    this.act2 = this.child('act2', new PReLU(8));
    this.fc = this.child('fc', new Linear(init, { inFeatures: 4 * 4 * 8, outFeatures: classes }));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    let h = this.act1.forward(this.bn1.forward(this.conv1.forward(x), ctx));
    h = this.dw.forward(h);
    h = this.act2.forward(this.bn2.forward(this.conv2.forward(h), ctx));
    return this.fc.forward(tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D);
  }
}

const BATCH = 8;
const CLASSES = 5;
const STEPS = 6;
const LR = 0.05;

function batch(): { images: Float32Array; labels: Int32Array } {
  const rng = Rng.fromSeed(7).fork('batch');
  return {
    images: rng.fillNormal(new Float32Array(BATCH * 8 * 8 * 3)),
    labels: Int32Array.from({ length: BATCH }, () => rng.int(CLASSES)),
  };
}

function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const oneHot = tf.cast(tf.oneHot(labels, CLASSES), 'float32');
  return tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
}

interface RunResult {
  readonly losses: number[];
  readonly tensorCounts: number[];
  readonly params: Map<string, { shape: number[]; values: Float32Array }>;
  /** Evaluation-mode logits after training (running statistics in use). */
  readonly evalLogits: Float32Array;
}

/** Builds the net from a fixed seed on the current backend and trains it for STEPS SGD steps. */
async function train(): Promise<RunResult> {
  const net = new TinyNet({ rng: Rng.fromSeed(42).fork('init') }, CLASSES);
  const ctx: ForwardContext = { training: true, rng: Rng.fromSeed(42).fork('forward') };
  const data = batch();
  const images = tf.tensor4d(data.images, [BATCH, 8, 8, 3]);
  const labels = tf.tensor1d(data.labels, 'int32');
  const trainable = [...net.trainableVariables().values()];
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const { value, grads } = tf.variableGrads(() => crossEntropy(net.forward(images, ctx), labels), trainable);
    tf.tidy(() => {
      for (const v of trainable) v.assign(tf.sub(v, tf.mul(grads[v.name] as tf.Tensor, LR)));
    });
    losses.push((await value.data())[0] as number);
    tf.dispose([value, ...Object.values(grads)]);
    tensorCounts.push(tf.memory().numTensors);
  }
  net.eval();
  const logits = tf.tidy(() => net.forward(images, { ...ctx, training: false }));
  const evalLogits = (await logits.data()) as Float32Array;
  const params = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const [name, v] of net.stateDict()) params.set(name, { shape: v.shape, values: (await v.data()) as Float32Array });
  tf.dispose([logits, images, labels]);
  net.dispose();
  return { losses, tensorCounts, params, evalLogits };
}

/**
 * Real invalid GPU work: a buffer with no usage is a validation error, which WebGPU reports as an
 * `uncapturederror` event instead of throwing. Waits until the queue has caught up, so the event
 * has been delivered.
 */
async function makeValidationError(): Promise<void> {
  const device = (tf.backend() as unknown as { device: { createBuffer(d: { size: number; usage: number }): { destroy(): void }; queue: { onSubmittedWorkDone(): Promise<void> } } }).device;
  device.createBuffer({ size: 16, usage: 0 }).destroy();
  await device.queue.onSubmittedWorkDone();
  await new Promise((resolve) => setTimeout(resolve, 50));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('webgpu backend', () => {
  afterAll(async () => {
    if (setup.ok) await tf.setBackend('webgpu');
  });

  test('reports adapter facts', async (ctx) => {
    requireWebGPU(ctx);
    if (!setup.ok) return;
    const { facts } = setup.info;
    console.info(`[webgpu] ${Object.entries(facts).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    expect(setup.info.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(typeof facts['adapter']).toBe('string');
    expect(typeof facts['software']).toBe('boolean');
    const probe = await probeWebGPUAdapter();
    expect(probe.ok).toBe(true);
  });

  test('capabilities: no synchronous reads, and the device\'s errors are drained', async (ctx) => {
    requireWebGPU(ctx);
    await tf.setBackend('webgpu');
    expect(backendCapabilities()).toMatchObject({ backend: 'webgpu', known: true, readsSync: false });
    backendCapabilities().drainDeviceErrors();
    await makeValidationError();
    const errors = backendCapabilities().drainDeviceErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^WebGPU: /);
    expect(backendCapabilities().drainDeviceErrors()).toEqual([]);
  });

  test('a device error during a step stops the trainer, naming webgpu and the error', async (ctx) => {
    requireWebGPU(ctx);
    await tf.setBackend('webgpu');
    const numClasses = 4;
    const trainer = createTrainer({
      backbone: tinyBackbone({ inputSize: 8, embeddingSize: 8, seed: 5 }),
      centers: fullFC({ numClasses, embeddingSize: 8, seed: 9 }),
      margin: defineMargin({ name: 'norm-softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 8) as tf.Tensor2D }) }),
      dataset: syntheticIdentities({ numClasses, imagesPerClass: 4, inputSize: 8, seed: 11 }),
      config: { batchSize: 8, steps: 1, seed: 3, optimizer: { type: 'sgd', lr: 0.1 }, log: { progress: false } },
    });
    await makeValidationError();
    await expect(trainer.fit({ handleSigint: false })).rejects.toThrow(/^The webgpu device reported an error during step 0; the update was not applied: WebGPU: /);
    trainer.dispose();
  });

  test('dataSync on GPU data explains the async alternative', async (ctx) => {
    requireWebGPU(ctx);
    await tf.setBackend('webgpu');
    const big = tf.tidy(() => tf.add(tf.ones([4096]), 1)); // above the cpu hand-off size: lives on the GPU
    if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined') {
      expect(() => big.dataSync()).toThrow(/await tensor\.data\(\)/);
    }
    expect((await big.data())[0]).toBe(2);
    big.dispose();
  });

  test('Acos is the precise replacement, on host-resident and GPU-resident inputs', async (ctx) => {
    requireWebGPU(ctx);
    await tf.setBackend('webgpu');
    expect(tf.getKernel('Acos', 'webgpu')).toBeDefined();
    const xs = Float32Array.from({ length: 4096 }, (_, i) => Math.cos((Math.PI * (i + 0.5)) / 4096));
    const small = tf.tensor1d(xs.subarray(0, 64)); // tiny and still on the host: the cpu hand-off
    const big = tf.tidy(() => tf.mul(tf.tensor1d(xs), 1)); // computed on the GPU first
    const [a, b] = [tf.acos(small), tf.acos(big)];
    const [va, vb] = [await a.data(), await b.data()];
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const want = Math.acos(xs[i]!);
      worst = Math.max(worst, Math.abs(vb[i]! - want), i < 64 ? Math.abs(va[i]! - want) : 0);
    }
    console.info(`[webgpu] acos max |diff| vs Math.acos over [-1, 1]: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(5e-7);
    tf.dispose([small, big, a, b]);
  });

  test('trains like the cpu backend, with a flat tensor count, and hands weights to wasm', async (ctx) => {
    requireWebGPU(ctx);
    await tf.setBackend('cpu');
    const ref = await train();
    await tf.setBackend('webgpu');
    const got = await train();

    console.info(`[webgpu] losses cpu    ${ref.losses.map((l) => l.toFixed(6)).join(' ')}`);
    console.info(`[webgpu] losses webgpu ${got.losses.map((l) => l.toFixed(6)).join(' ')}`);
    expect(got.losses[STEPS - 1]!).toBeLessThan(got.losses[0]!);
    for (let i = 0; i < STEPS; i++) expect(Math.abs(got.losses[i]! - ref.losses[i]!)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(ref.losses[i]!));
    // Every step frees what it made: the count after each step is the same.
    expect(new Set(got.tensorCounts).size, `tensor counts per step: ${got.tensorCounts.join(' ')}`).toBe(1);
    let worstParam = 0;
    for (const [name, p] of ref.params) worstParam = Math.max(worstParam, maxAbsDiff(got.params.get(name)!.values, p.values));
    console.info(`[webgpu] after ${STEPS} steps: max |param diff| vs cpu ${worstParam.toExponential(2)}`);
    expect(worstParam).toBeLessThanOrEqual(1e-4);

    // Checkpoint interchange: the webgpu-trained state loaded on wasm gives the same eval logits.
    await selectBackend('wasm', { log: null });
    const net = new TinyNet({ rng: Rng.fromSeed(1).fork('other') }, CLASSES);
    const state = new Map([...got.params].map(([name, p]) => [name, tf.tensor(p.values, p.shape)]));
    net.loadStateDict(state);
    tf.dispose([...state.values()]);
    net.eval();
    const images = tf.tensor4d(batch().images, [BATCH, 8, 8, 3]);
    const logits = tf.tidy(() => net.forward(images, { training: false, rng: Rng.fromSeed(0) }));
    const onWasm = await logits.data();
    tf.dispose([logits, images]);
    net.dispose();
    const handover = maxAbsDiff(onWasm, got.evalLogits);
    console.info(`[webgpu] eval logits, webgpu weights on wasm vs webgpu: max |diff| ${handover.toExponential(2)}`);
    expect(handover).toBeLessThanOrEqual(1e-4);
  });

  test('auto never takes a software adapter', async (ctx) => {
    requireWebGPU(ctx);
    if (!setup.ok) return;
    const info = await selectBackend('auto', { log: null });
    if (setup.info.facts['software'] === true) {
      expect(info.name).not.toBe('webgpu');
      const skip = info.skipped.find((s) => s.backend === 'webgpu');
      expect(skip?.reason).toMatch(/^software adapter .+ is used only when asked for by name \(FR_BACKEND=webgpu or selectBackend\('webgpu'\)\)$/);
    } else {
      expect(['tensorflow', 'webgpu']).toContain(info.name);
    }
    const explicit = await selectBackend('webgpu', { log: null, allowSoftwareAdapter: false }).then(
      (i) => i.name,
      (error: Error) => error.message,
    );
    if (setup.info.facts['software'] === true) expect(explicit).toMatch(/refused \(allowSoftwareAdapter is false\)/);
    else expect(explicit).toBe('webgpu');
  });
});
