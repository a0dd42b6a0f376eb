import { beforeAll, describe, expect, test } from 'vitest';
import { Rng } from '@fr/core';
import { countParameters, createBackbone } from '@fr/backbones';
import { readFileSync } from 'node:fs';
import { useCpu } from './support/setup.js';

beforeAll(useCpu);

/**
 * The independent count: sum(p.numel()) of the PyTorch twins (packages/bench/python/fr_torch_nets.py)
 * at full size, written by fixtures/count_torch_parameters.py with Debian's torch.
 */
const torchCounts = (JSON.parse(readFileSync(new URL('./fixtures/torch-parameter-counts.json', import.meta.url), 'utf8')) as { counts: Record<string, number> }).counts;

describe('parameter counts equal the PyTorch twins\' sum(p.numel())', () => {
  test.each(Object.entries(torchCounts))('%s: %i', (key, expected) => {
    const [name, options] = key === 'mobilefacenet_128' ? ['mobilefacenet', { embeddingSize: 128 }] : [key, {}];
    expect(countParameters(name, options).total).toBe(expected);
  });
});

// Counts come from `countParameters`, which runs the real constructors in shape-only mode
// (zero weights, no random draws); iresnet18 and mobilefacenet are also counted fully built.
describe('parameter counts (trainable + frozen, buffers excluded)', () => {
  test.each([
    ['iresnet18', 24_025_600],
    ['iresnet34', 34_139_328],
    ['iresnet50', 43_590_848],
    ['iresnet100', 65_156_160],
    ['iresnet200', 118_833_920],
  ])('%s has %i parameters (spec §1.7; r200 from the torch twin, see above)', (name, expected) => {
    const { total, trainable } = countParameters(name);
    expect(total).toBe(expected);
    // The `features` BN1d γ (512) is frozen by default.
    expect(trainable).toBe(expected - 512);
    expect(countParameters(name, { featuresGammaTrainable: true }).trainable).toBe(expected);
  });

  test('a fully built iresnet18 matches its shape-only count', () => {
    const r18 = createBackbone('iresnet18', {}, { rng: Rng.fromSeed(1) });
    expect(r18.module.parameterCount()).toBe(24_025_600);
    r18.module.dispose();
  });

  test('mobilefacenet: 1,200,512 (512-d) and 1,003,136 (128-d, the paper\'s 0.99M)', () => {
    const m = createBackbone('mobilefacenet', {}, { rng: Rng.fromSeed(1) });
    expect(m.module.parameterCount()).toBe(1_200_512);
    m.module.dispose();
    expect(countParameters('mobilefacenet', { embeddingSize: 128 }).total).toBe(1_003_136);
  });

  const millions = (n: number) => Math.round(n / 1e4) / 100;

  test('TransFace SE gate: 10.64M on S/B (144·512·144 + 144²), 15.95M on L', () => {
    const se = (name: string) => countParameters(name, { seGate: true }).total - countParameters(name, { seGate: false }).total;
    expect(se('vit_s')).toBe(144 * 512 * 144 + 144 * 144);
    expect(millions(se('vit_s'))).toBe(10.64);
    expect(millions(se('vit_b'))).toBe(10.64);
    expect(millions(se('vit_l'))).toBe(15.95);
  });

  test.each([
    ['transface_s', 86_660_864, 86.66],
    ['transface_b', 124_471_040, 124.47],
    ['transface_l', 271_630_336, 271.63],
  ])('%s (ViT + SE) has %i parameters = %sM (spec §3.1)', (name, exact, rounded) => {
    const { total } = countParameters(name);
    expect(total).toBe(exact);
    expect(millions(total)).toBe(rounded);
  });

  test('ViT variants without SE', () => {
    expect(countParameters('vit_s').total).toBe(86_660_864 - 10_637_568);
    expect(countParameters('vit_t').total).toBeGreaterThan(0);
  });
});
