import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { Rng } from '@fr/core';
import {
  VERSION, backboneFromConfig, createBackbone, getArchitecture, listArchitectures, registerArchitecture, resolveBackboneConfig,
} from '@fr/backbones';
import { useCpu } from './support/setup.js';
import { TINY, expectSameState } from './support/checks.js';

beforeAll(useCpu);

describe('registry and factory', () => {
  test('every built-in architecture is registered', () => {
    expect(listArchitectures()).toEqual(expect.arrayContaining([
      'iresnet18', 'iresnet34', 'iresnet50', 'iresnet100', 'iresnet200', 'mobilefacenet',
      'vit_t', 'vit_s', 'vit_b', 'vit_l', 'vit_h', 'vit_t_dp005_mask0', 'vit_s_dp005_mask_0', 'vit_b_dp005_mask_005',
      'vit_l_dp005_mask_005', 'transface_s', 'transface_b', 'transface_l',
    ]));
    expect(getArchitecture('iresnet50').family).toBe('iresnet');
  });

  test('configs are stored fully resolved and rebuild the same network from the same seed', () => {
    for (const { name, options } of Object.values(TINY)) {
      const a = createBackbone(name, options, { rng: Rng.fromSeed(8) });
      expect(a.config.architecture).toBe(name);
      expect(a.name).toBe(name);
      const json = JSON.parse(JSON.stringify(a.config));
      expect(resolveBackboneConfig(name, json)).toEqual(a.config);
      const b = backboneFromConfig(json, { rng: Rng.fromSeed(8) });
      expect(b.config).toEqual(a.config);
      expectSameState(a, b);
      expect(a.preprocessing).toEqual({ inputSize: options.inputSize, colorOrder: 'rgb', normalization: 'minus1to1', embeddingNormalization: 'l2' });
      a.module.dispose();
      b.module.dispose();
    }
  });

  test('iresnet50 default config', () => {
    expect(resolveBackboneConfig('iresnet50')).toEqual({
      architecture: 'iresnet50', inputSize: 112, embeddingSize: 512, colorOrder: 'rgb', normalization: 'minus1to1',
      layers: [3, 4, 14, 3], widthMultiplier: 1, dropout: 0, featuresGammaTrainable: false,
    });
  });

  test('clear errors: unknown name, unknown option, bad value, mismatched architecture; the default rng is seeded', () => {
    expect(() => createBackbone('resnet9000', {}, { rng: Rng.fromSeed(1) })).toThrow(/Unknown backbone architecture "resnet9000"; known: .*iresnet50/);
    expect(() => createBackbone('iresnet18', { widthMultipler: 0.5 } as never, { rng: Rng.fromSeed(1) }))
      .toThrow(/Invalid options for backbone "iresnet18":\n {2}✖ unknown option "widthMultipler" \(did you mean "widthMultiplier"\?\)/);
    // Every problem at once.
    expect(() => resolveBackboneConfig('vit_s', { dim: '512', heads: 0, colorOrder: 'RGB' }))
      .toThrow(/✖ colorOrder: expected one of "rgb", "bgr", got "RGB"\n {2}✖ dim: expected an integer ≥ 1, got "512"\n {2}✖ heads: expected an integer ≥ 1, got 0$/);
    expect(() => createBackbone('iresnet18', { dropout: 1.5 }, { rng: Rng.fromSeed(1) })).toThrow(/dropout/);
    // Without an rng the weights come from a fixed seed: two default builds are identical.
    const [x, y] = [createBackbone('mobilefacenet', { inputSize: 32, widthMultiplier: 0.25 }), createBackbone('mobilefacenet', { inputSize: 32, widthMultiplier: 0.25 })];
    expect(Array.from([...x.module.stateDict().values()][0]!.dataSync())).toEqual(Array.from([...y.module.stateDict().values()][0]!.dataSync()));
    x.module.dispose();
    y.module.dispose();
    expect(() => backboneFromConfig({ inputSize: 112 }, { shapeOnly: true })).toThrow(/no "architecture"/);
    expect(() => resolveBackboneConfig('iresnet18', { architecture: 'iresnet50' })).toThrow(/"iresnet50" but "iresnet18"/);
  });

  test('custom architectures can be registered', () => {
    const base = getArchitecture('iresnet18');
    registerArchitecture({ ...base, name: 'my_r18', resolveConfig: (o) => ({ ...base.resolveConfig({ ...o, architecture: 'iresnet18' }), architecture: 'my_r18' }) });
    expect(listArchitectures()).toContain('my_r18');
    const b = createBackbone('my_r18', TINY.iresnet.options, { shapeOnly: true });
    expect(b.name).toBe('my_r18');
    b.module.dispose();
    expect(() => registerArchitecture({ ...base, name: 'my_r18' })).toThrow(/already registered/);
  });

  test('VERSION equals package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
