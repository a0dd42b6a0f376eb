import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend, tf } from '@fr/core';
import { assertConforms, checkLossPlugin, testContext } from '@fr/core/testing';
import { ringLoss } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

describe('ringLoss', () => {
  test('passes the @fr conformance kit (gradients, NaN/Inf, determinism, leaks)', () => {
    assertConforms(checkLossPlugin(() => ringLoss({ weight: 0.1, radius: 2 })));
  });

  test('is (λ/2)·mean(‖x‖ − R)², with gradients to the embeddings and to R', () => {
    const plugin = ringLoss({ weight: 0.5, radius: 2 });
    const embedding = tf.tensor2d([[3, 4], [0, 1]]); // norms 5 and 1
    const view = { embedding } as unknown as Parameters<NonNullable<typeof plugin.terms>>[0];
    const ctx = testContext({ plugin });
    const out = plugin.terms!(view, ctx);
    // (0.5/2)·((5−2)² + (1−2)²)/2 = 0.25·5 = 1.25
    expect(out.terms.loss!.dataSync()[0]).toBeCloseTo(1.25, 6);
    const radius = [...plugin.module!.trainableVariables().values()][0]!;
    const { grads } = tf.variableGrads(() => plugin.terms!(view, ctx).terms.loss!, [radius]);
    // d/dR = −(λ/2)·2·mean(‖x‖ − R) = −0.5·(3 − 1)/2 = −0.5
    expect(Object.values(grads)[0]!.dataSync()[0]).toBeCloseTo(-0.5, 6);
    expect([...plugin.module!.noDecayNames()]).toEqual(['radius']);
    plugin.dispose!();
  });

  test('rejects a bad option, naming it', () => {
    expect(() => ringLoss({ weight: -1 })).toThrow(/ringLoss.*weight/);
  });
});
