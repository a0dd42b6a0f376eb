import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend, type MarginPlugin } from '@fr/core';
import { assertConforms, checkMarginPlugin, type ConformanceOptions } from '@fr/core/testing';
import { adaface, arcface, combinedMargin, cosface, curricularFace, magface, sphereface } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** Every head and configuration, with the conformance options it needs. */
const heads: [string, () => MarginPlugin, ConformanceOptions?][] = [
  ['arcface (exact, th/mm)', () => arcface()],
  ['arcface (exact, s 32, m 0.4)', () => arcface({ s: 32, m: 0.4 })],
  ['arcface (easy margin)', () => arcface({ easyMargin: true })],
  // Straight-through: the gradient deliberately differs from the forward function's derivative.
  ['arcface (straight-through)', () => arcface({ gradient: 'straight-through' }), { gradient: 'custom' }],
  ['cosface', () => cosface()],
  ['combinedMargin (1, 0.3, 0.2)', () => combinedMargin()],
  ['combinedMargin (0.9, 0.4, 0.15)', () => combinedMargin({ m1: 0.9, m2: 0.4, m3: 0.15 })],
  // OpenSphere's detached margin delta: ∂logit/∂cos = s by design.
  ['sphereface', () => sphereface(), { gradient: 'custom' }],
  ['curricularFace', () => curricularFace()],
  ['adaface', () => adaface()],
  ['magface', () => magface()],
  // Fixture norms (~2.8) inside [la, ua]: the gradient also flows through m(a) and g(a).
  ['magface (norms inside [la, ua])', () => magface({ la: 1, ua: 10 })],
  ['magface (th/mm)', () => magface({ la: 1, ua: 10, easyMargin: false })],
];

describe('every margin head passes the conformance kit', () => {
  for (const [label, create, options] of heads) {
    test(label, () => {
      const report = checkMarginPlugin(create, options);
      assertConforms(report);
      expect(report.checks.map((c) => c.name)).toEqual(['shapes', 'gradient', 'nan-safety', 'determinism', 'no-leak', 'state']);
    });
  }
});
