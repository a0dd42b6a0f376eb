import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng, Sgd, cosineToCenters, rowNorm, selectBackend, softmaxCrossEntropy } from '@fr/core';
import { FR_TFJS_COPIES, arcface, formatBytes, gatherRows, parseBytes, planFcMemory, recommendSampleRate } from '../src/index.js';
import { runFcPlanCli } from '../src/planner/cli.js';
import { context } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

describe('planFcMemory arithmetic', () => {
  test('full FC, float32, sgd', () => {
    const p = planFcMemory({ numClasses: 1000, embeddingSize: 128, batchSize: 64 });
    expect(p).toMatchObject({ classesPerDevice: 1000, globalBatch: 64, numSample: 1000, activeCentres: 1000, sampleRate: 1, dtype: 'float32', optimizer: 'sgd' });
    expect(p.bytes).toEqual({
      weight: 512_000, // 1000 × 128 × 4
      optimizerSlots: 512_000, // momentum
      gradient: 512_000,
      activeCentres: 5_120_000, // 10 × 1000 × 128 × 4
      logits: 9_984_000, // 39 × 64 × 1000 × 4
      update: 3_072_000, // 6 × weight
      backwardPeak: 16_640_000,
      updatePeak: 4_608_000,
      total: 16_640_000,
    });
  });

  test('2M classes at rate 0.1: sampling shrinks the logits, not the weight side', () => {
    const p = planFcMemory({ numClasses: 2_000_000, embeddingSize: 512, batchSize: 128, sampleRate: 0.1 });
    expect(p.numSample).toBe(200_000);
    expect(p.bytes.weight).toBe(4_096_000_000);
    expect(p.bytes.optimizerSlots).toBe(4_096_000_000);
    expect(p.bytes.gradient).toBe(4_096_000_000);
    expect(p.bytes.activeCentres).toBe(4_096_000_000);
    expect(p.bytes.logits).toBe(3_993_600_000);
    expect(p.bytes.backwardPeak).toBe(20_377_600_000);
    expect(p.bytes.updatePeak).toBe(36_864_000_000);
    expect(p.bytes.total).toBe(36_864_000_000);
  });

  test('optimisers, float16, devices, positives and copy overrides', () => {
    const base = { numClasses: 10_000, embeddingSize: 64, batchSize: 32 };
    expect(planFcMemory({ ...base, optimizer: 'sgd-nomomentum' }).bytes).toMatchObject({ optimizerSlots: 0, update: 4 * 2_560_000 });
    expect(planFcMemory({ ...base, optimizer: 'adamw' }).bytes).toMatchObject({ optimizerSlots: 2 * 2_560_000, update: 14 * 2_560_000 });
    const half = planFcMemory({ ...base, dtype: 'float16' });
    expect(half.bytes.total * 2).toBe(planFcMemory(base).bytes.total);
    const sharded = planFcMemory({ ...base, devices: 3, sampleRate: 0.5 });
    expect(sharded).toMatchObject({ classesPerDevice: 3334, globalBatch: 96, numSample: 1667, activeCentres: 1667 });
    expect(sharded.bytes.logits).toBe(39 * 96 * 1667 * 4);
    // Rate 0.001 of 10 000 = 10 centres, but a batch of 32 may hold 32 classes: all are scored.
    expect(planFcMemory({ ...base, sampleRate: 0.001 })).toMatchObject({ numSample: 10, activeCentres: 32 });
    expect(planFcMemory({ ...base, copies: { activations: 3, activeCentres: 2, update: 0 } }).bytes).toMatchObject({
      logits: 3 * 32 * 10_000 * 4, activeCentres: 2 * 10_000 * 64 * 4, update: 0,
    });
    expect(FR_TFJS_COPIES.update).toEqual({ sgd: 6, 'sgd-nomomentum': 4, adamw: 14 });
  });

  test('rejects bad input', () => {
    expect(() => planFcMemory({ numClasses: 0, embeddingSize: 4, batchSize: 1 })).toThrow(/numClasses/);
    expect(() => planFcMemory({ numClasses: 10, embeddingSize: 4, batchSize: 1, sampleRate: 0 })).toThrow(/sampleRate/);
    expect(() => planFcMemory({ numClasses: 10, embeddingSize: 4, batchSize: 1, optimizer: 'adam' as never })).toThrow(/optimizer/);
  });
});

describe('recommendSampleRate', () => {
  const base = { numClasses: 100_000, embeddingSize: 512, batchSize: 128 };

  test('the full FC when it fits', () => {
    const advice = recommendSampleRate({ ...base, budgetBytes: parseBytes('8GiB') });
    expect(advice.sampleRate).toBe(1);
    expect(advice.plan.bytes.total).toBe(4_659_200_000);
  });

  test('the largest rate that fits, rounded down to two significant digits', () => {
    // (3 GiB − 614.4 MB steady) / ((10·512 + 39·128)·4 B per centre) = 64 448 centres → 0.644 → 0.64.
    const advice = recommendSampleRate({ ...base, budgetBytes: parseBytes('3GiB') });
    expect(advice.sampleRate).toBe(0.64);
    expect(advice.plan.numSample).toBe(64_000);
    expect(advice.plan.bytes.total).toBeLessThanOrEqual(3 * 2 ** 30);
    expect(planFcMemory({ ...base, sampleRate: 0.65 }).bytes.total).toBeGreaterThan(3 * 2 ** 30);
    expect(advice.minDevices).toBe(1);
  });

  test('none fits when the weight side alone is too big: says how many devices would', () => {
    const advice = recommendSampleRate({ numClasses: 2_000_000, embeddingSize: 512, batchSize: 128, optimizer: 'sgd', budgetBytes: parseBytes('8GiB') });
    expect(advice.sampleRate).toBeNull();
    // 5 shards of 400 000 classes: update peak 9 × 400 000 × 2048 B = 7.37 GB ≤ 8 GiB.
    expect(advice.minDevices).toBe(5);
    expect(advice.reason).toMatch(/no sample rate fits: the weight, its optimiser slots, gradient and update temporaries alone exceed the budget .*; 5 model-parallel devices would fit/);
    const five = recommendSampleRate({ numClasses: 2_000_000, embeddingSize: 512, batchSize: 128, devices: 5, budgetBytes: parseBytes('8GiB') });
    expect(five.sampleRate).toBe(0.12);
  });
});

describe('sizes', () => {
  test('parseBytes and formatBytes', () => {
    expect(parseBytes('8GiB')).toBe(8 * 2 ** 30);
    expect(parseBytes('8 gib')).toBe(8 * 2 ** 30);
    expect(parseBytes('8G')).toBe(8 * 2 ** 30);
    expect(parseBytes('1.5GB')).toBe(1_500_000_000);
    expect(parseBytes('512MiB')).toBe(512 * 2 ** 20);
    expect(parseBytes('1024')).toBe(1024);
    expect(() => parseBytes('8 parsecs')).toThrow(/Cannot read/);
    expect(formatBytes(4_096_000_000)).toBe('3.81 GiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
  });
});

describe('fr-fc-plan', () => {
  const cli = async (args: string) => {
    let out = '';
    let err = '';
    const code = await runFcPlanCli(args.split(' ').filter(Boolean), { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } });
    return { code, out: out.replace(/\n$/, ''), err };
  };

  test('prints a table and the advice', async () => {
    const { code, out } = await cli('--classes 2000000 --dim 512 --optimizer sgd --batch 128 --budget 8GiB');
    expect(code).toBe(0);
    expect(out).toMatch(/^2,000,000 classes × 512-d, float32, sgd, batch 128 × 1 device/);
    expect(out).toMatch(/weight\s+3\.81 GiB/);
    expect(out).toMatch(/optimiser slots\s+3\.81 GiB/);
    expect(out).toMatch(/logits\/softmax\s+37\.2 GiB/); // 39 × 128 × 2M × 4 B
    expect(out).toMatch(/Budget 8\.00 GiB: no sample rate fits: .*5 model-parallel devices would fit/);
  });

  test('a recommended column when a rate fits; --sample-rate adds its own', async () => {
    const { out } = await cli('--classes 100000 --budget 3GiB --sample-rate=0.1');
    expect(out.split('\n')[2]).toMatch(/rate 1 \(full FC\)\s+rate 0\.1\s+rate 0\.64 \(recommended\)/);
    expect(out).toMatch(/centres per step\s+100,000\s+10,000\s+64,000/);
    expect(out).toMatch(/recommended sample rate 0\.64 \(64,000 centres per step/);
    expect(JSON.parse((await cli('--classes 100000 --budget 3GiB --json')).out).advice.sampleRate).toBe(0.64);
  });

  test('usage errors exit 2; --help and --version', async () => {
    expect((await cli('--dim 512')).code).toBe(2);
    expect((await cli('--classes 10 --optimizer adam')).err).toMatch(/--optimizer must be sgd, sgd-nomomentum or adamw/);
    expect(await cli('--classes 10 --dimm 1')).toEqual({ code: 2, out: '', err: "fr-fc-plan: unknown option --dimm (did you mean --dim?)\nRun 'fr-fc-plan --help' for the options.\n" });
    expect((await cli('--classes ten')).err).toMatch(/--classes must be a number in \[1, ∞\], got "ten"/);
    expect((await cli('--help')).out).toMatch(/Usage: fr-fc-plan/);
    expect((await cli('--version')).out).toMatch(/^fr-fc-plan \d+\.\d+\.\d+$/);
  });
});

describe('the prediction bounds the measured peak of a real step (cpu, tf.profile)', () => {
  test.each([
    [32, 4000, 64, 0.25], // activations and active centres comparable: they peak at different moments
    [64, 4000, 8, 0.5], // logits dominate
    [4, 8000, 128, 0.1], // the weight side dominates
  ])('B %i, C %i, d %i, rate %f: measured ≤ predicted ≤ 1.15 × measured; SGD update exact', async (b, c, d, rate) => {
    const plan = planFcMemory({ numClasses: c, embeddingSize: d, batchSize: b, sampleRate: rate });
    const rng = Rng.fromSeed(1);
    const w = tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(c * d)), [c, d]));
    const e = tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(b * d)), [b, d]));
    const labels = tf.tensor1d(Int32Array.from({ length: b }, (_, i) => i), 'int32');
    const index = tf.tensor1d(Int32Array.from({ length: plan.numSample }, (_, i) => i), 'int32');
    const margin = arcface();
    const sgd = new Sgd({ momentum: 0.9, weightDecay: 5e-4, nesterov: false });
    const params = new Map([['w', w]]);
    // As in the trainer, the embedding gets a gradient too (it flows on into the backbone).
    const step = () => {
      const { value, grads } = tf.variableGrads(() => {
        const cosine = cosineToCenters(e, gatherRows(w, index));
        const out = margin.logits({ cosine, targets: labels, embedding: e, embeddingNorm: rowNorm(e) }, context(true, Array.from(labels.dataSync())));
        return tf.mean(softmaxCrossEntropy(out.logits, labels)) as tf.Scalar;
      }, [w, e]);
      tf.dispose([value, grads[e.name] as tf.Tensor]);
      return grads[w.name] as tf.Tensor;
    };
    sgd.apply(params, new Map([['w', step()]]), 0.1, new Set()); // creates the momentum slot
    const base = tf.memory().numBytes;
    let grad: tf.Tensor | undefined;
    // tf.profile reuses one info object: read each peak before the next profile.
    const measured = (await tf.profile(() => {
      grad = step();
    })).peakBytes - base;
    const updatePeak = (await tf.profile(() => sgd.apply(params, new Map([['w', grad as tf.Tensor]]), 0.1, new Set()))).peakBytes - base;
    const predicted = plan.bytes.gradient + plan.bytes.activeCentres + plan.bytes.logits;
    // Measured on tfjs 4.22 cpu: predicted/measured = 1.05–1.10 (the two sums peak a little apart).
    expect(predicted).toBeGreaterThanOrEqual(measured);
    expect(predicted).toBeLessThanOrEqual(1.15 * measured);
    expect(updatePeak - plan.bytes.gradient).toBe(plan.bytes.update);
    tf.dispose([w, e, labels, index, grad as tf.Tensor]);
    sgd.dispose();
  });
});
