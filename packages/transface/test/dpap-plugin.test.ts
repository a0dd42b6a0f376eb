import { beforeAll, describe, expect, test } from 'vitest';
import { Rng, fullFC, selectBackend, tf, validateComposition, type AugmentContext, type AugmentPlugin, type Backbone } from '@fr/core';
import { assertConforms, checkAugmentPlugin, registerCpuTwinBackend, testContext, tinyBackbone } from '@fr/core/testing';
import { createBackbone } from '@fr/backbones';
import { arcface } from '@fr/loss-arcface';
import { dpap, dpapBatch, dpapGeometry, drawDpap } from '../src/index.js';
import { pixelDiff } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** Runs the plugin once on `input` with a probe through `backbone`; counts probe calls. */
function runOnce(plugin: AugmentPlugin, backbone: Backbone, input: tf.Tensor4D, seed = 1) {
  let probes = 0;
  const ctx: AugmentContext = testContext({
    plugin, seed, batchSize: input.shape[0],
    probe: () => {
      probes++;
      return backbone.forward(input, { training: true, rng: Rng.fromSeed(seed).fork('probe') });
    },
  });
  const labels = tf.zeros([input.shape[0]], 'int32') as tf.Tensor1D;
  const out = plugin.apply({ input, clean: input, labels }, ctx);
  return { out, probes, rng: Rng.fromSeed(seed).fork(`plugin:${plugin.name}`) };
}

const randomInput = (batch: number, size: number, seed = 3) =>
  tf.tensor4d(Rng.fromSeed(seed).fillUniform(new Float32Array(batch * size * size * 3), -1, 1), [batch, size, size, 3]);

/** torch float32 (x·0.5 + 0.5)·255 and back. */
const denorm = (v: number) => Math.fround(Math.fround(Math.fround(v * 0.5) + 0.5) * 255);
const renorm = (v: number) => Math.fround(Math.fround(Math.fround(v / 255) - 0.5) / 0.5);

describe('dpap plugin: conformance', () => {
  for (const compute of ['host', 'device'] as const) {
    test(`tiny backbone 16 px (4×4 cells of 4 px), k 3, p 0.5 and 1, compute ${compute}`, () => {
      for (const probability of [0.5, 1]) {
        assertConforms(checkAugmentPlugin(() => dpap({ k: 3, probability, patchSize: 4, compute }), { inputSize: 16, probeAux: ['patchWeights'] }));
      }
    });
  }
});

describe('dpap plugin: behaviour', () => {
  let tiny: Backbone;
  beforeAll(() => {
    tiny = tinyBackbone({ inputSize: 16, aux: ['patchWeights'] });
  });

  test('the host path is dpapBatch on the float32 de-normalised pixels, re-normalised in float32; the rest is bit for bit', () => {
    const input = randomInput(6, 16);
    const plugin = dpap({ k: 3, probability: 0.5, patchSize: 4, compute: 'host' });
    const { out, rng } = runOnce(plugin, tiny, input);
    const pixels = Float64Array.from(input.dataSync(), denorm);
    const weights = tiny.forward(input, { training: true, rng: Rng.fromSeed(1).fork('probe') }).aux.patchWeights!.dataSync();
    const draws = drawDpap(rng, 6, 4, { k: 3, probability: 0.5 });
    const reference = dpapBatch({ data: pixels, shape: [6, 16, 16, 3] }, weights, draws, { k: 3, probability: 0.5, patchSize: 4 });
    expect(reference.perturbed.length).toBeGreaterThan(0);
    const expected = Float32Array.from(input.dataSync());
    for (const q of reference.perturbed) {
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 12; x++) {
          const i = ((q.sample * 16 + q.row * 4 + y) * 16 + q.col * 4) * 3 + x;
          expected[i] = renorm(reference.images[i] as number);
        }
      }
    }
    expect(pixelDiff(out.input.dataSync(), expected).count).toBe(0);
    expect(out.metrics).toEqual({ perturbedFraction: reference.perturbed.length / 3 / 6, perturbedPatches: reference.perturbed.length });
    expect(out.clean).toBe('unchanged'); // DPAP perturbs the input only: the clean view stays as it came
  });

  test('host and device paths agree (device: float32 DFT, ±1 pixel level on ≤ 2% of the changed values)', () => {
    const input = randomInput(8, 36, 5);
    const vit = createBackbone('transface_s', { inputSize: 36, patchSize: 9, dim: 8, depth: 1, heads: 2, embeddingSize: 8, maskRatio: 0 }, { rng: Rng.fromSeed(2) });
    const host = runOnce(dpap({ k: 4, probability: 0.6, compute: 'host' }), vit, input, 9).out;
    const device = runOnce(dpap({ k: 4, probability: 0.6, compute: 'device' }), vit, input, 9).out;
    expect(host.metrics).toEqual(device.metrics);
    const changed = (host.metrics!.perturbedPatches as number) * 81 * 3;
    expect(changed).toBeGreaterThan(0);
    const diff = pixelDiff(host.input.dataSync(), device.input.dataSync());
    expect(diff.max).toBeLessThanOrEqual(1 / 127.5 + 1e-6);
    expect(diff.count).toBeLessThanOrEqual(0.02 * changed);
    expect(pixelDiff(host.input.dataSync(), input.dataSync()).count).toBeGreaterThan(0.5 * changed);
    vit.module.dispose();
  });

  test('compute auto takes the host path where the backend reads synchronously, the device path elsewhere, whatever it is called', async () => {
    /** The kernels one apply dispatches (the host path reads back and computes in JS; the device path runs its DFT as ops). */
    const kernelsOf = async (compute: 'auto' | 'host' | 'device'): Promise<string[]> => {
      const input = randomInput(6, 16);
      const profile = await tf.profile(() => runOnce(dpap({ k: 3, probability: 1, patchSize: 4, compute }), tiny, input).out.input);
      return [...new Set(profile.kernelNames)].sort();
    };
    const host = await kernelsOf('host');
    const device = await kernelsOf('device');
    expect(host).not.toEqual(device);
    registerCpuTwinBackend('fr-test-sync-reads', { readsSync: true });
    registerCpuTwinBackend('fr-test-no-sync-reads', { readsSync: false });
    await selectBackend('fr-test-sync-reads', { log: null });
    expect(await kernelsOf('auto')).toEqual(host);
    await selectBackend('fr-test-no-sync-reads', { log: null });
    expect(await kernelsOf('auto')).toEqual(device);
    await selectBackend('cpu', { log: null });
    expect(await kernelsOf('auto')).toEqual(host);
  });

  test('deterministic for a seed; another seed draws differently', () => {
    const input = randomInput(6, 16);
    const plugin = dpap({ k: 2, probability: 0.5, patchSize: 4 });
    const a = runOnce(plugin, tiny, input, 1).out.input.dataSync();
    const b = runOnce(dpap({ k: 2, probability: 0.5, patchSize: 4 }), tiny, input, 1).out.input.dataSync();
    const c = runOnce(plugin, tiny, input, 2).out.input.dataSync();
    expect(pixelDiff(a, b).count).toBe(0);
    expect(pixelDiff(a, c).count).toBeGreaterThan(0);
  });

  test('probes every step by default (official), only when needed with alwaysProbe: false; no perturbation returns the input', () => {
    const input = randomInput(4, 16);
    const always = runOnce(dpap({ probability: 0, k: 2, patchSize: 4 }), tiny, input);
    expect(always.probes).toBe(1);
    expect(always.out.input).toBe(input);
    expect(always.out.metrics).toEqual({ perturbedFraction: 0, perturbedPatches: 0 });
    expect(runOnce(dpap({ probability: 0, k: 2, patchSize: 4, alwaysProbe: false }), tiny, input).probes).toBe(0);
    expect(runOnce(dpap({ probability: 1, k: 2, patchSize: 4, alwaysProbe: false }), tiny, input).probes).toBe(1);
  });

  test('patch weights that do not fit the patch grid of the input: a clear error', () => {
    const input = randomInput(2, 36);
    const t36 = tinyBackbone({ inputSize: 36, aux: ['patchWeights'] }); // 9×9 cells of its own
    expect(() => runOnce(dpap(), t36, input)).toThrow(/gives 81 patch weights per image, but a 36×36 input cut into 9-pixel patches has a 4×4 grid \(16 patches\): set dpap's patchSize/);
    expect(() => runOnce(dpap({ k: 17, patchSize: 9 }), t36, input)).toThrow(/k 17 exceeds the 16 patches/);
    expect(() => runOnce(dpap(), tinyBackbone({ inputSize: 36 }), input)).toThrow(/no aux "patchWeights"/);
    t36.module.dispose();
    expect(dpapGeometry(112).grid * dpapGeometry(112).grid).toBe(144);
  });

  test('declares probe + aux:patchWeights: a ViT without the SE gate is rejected before training', () => {
    const head = { centers: fullFC({ numClasses: 3, embeddingSize: 8 }), margin: arcface({ gradient: 'straight-through' }) };
    const options = { inputSize: 18, patchSize: 9, dim: 8, depth: 1, heads: 2, embeddingSize: 8 };
    const plain = createBackbone('vit_s', options, { rng: Rng.fromSeed(1) });
    const gated = createBackbone('transface_s', options, { rng: Rng.fromSeed(1) });
    expect(() => validateComposition({ backbone: plain, ...head, augments: [dpap()] })).toThrow(/dpap.*patchWeights/s);
    expect(() => validateComposition({ backbone: gated, ...head, augments: [dpap()] })).not.toThrow();
    expect(() => dpap({ probability: 1.5 })).toThrow(/probability must be a number in \[0, 1\]/);
    expect(() => dpap({ compute: 'gpu' as never })).toThrow(/compute must be 'auto' or 'host' or 'device'/);
    plain.module.dispose();
    gated.module.dispose();
    head.centers.dispose!();
  });
});
