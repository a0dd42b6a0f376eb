import { beforeAll, describe, expect, test } from 'vitest';
import { tf, defineMargin, defineLoss, defineAugment, fullFC, unaryCustomGrad, pairwiseEuclidean, safeAcos, targetCosine, type PluginState } from '../src/index.js';
import {
  checkMarginPlugin, checkLossPlugin, checkAugmentPlugin, checkCenterBank, assertConforms, type ConformanceReport,
} from '../src/testing/index.js';
import { selectBackend } from '../src/backend/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const failed = (r: ConformanceReport) => r.checks.filter((c) => !c.ok).map((c) => c.name);

/** A correct margin: CosFace-style s·(cos − m·onehot) with an EMA state, to exercise every check. */
function goodMargin() {
  let ema = 0;
  return defineMargin({
    name: 'good-margin',
    logits: ({ cosine, targets }, ctx) => {
      if (ctx.training) ema = 0.9 * ema + 0.1;
      const onehot = tf.oneHot(targets, cosine.shape[1]);
      return { logits: tf.mul(tf.sub(cosine, tf.mul(onehot, 0.35)), 16) as tf.Tensor2D, metrics: { ema } };
    },
    getState: (): PluginState => ({ json: { ema } }),
    setState: (s) => {
      ema = (s.json as { ema: number }).ema;
    },
  });
}

describe('the conformance kit', () => {
  test('passes a correct margin head', () => {
    const report = checkMarginPlugin(goodMargin);
    expect(failed(report)).toEqual([]);
    expect(() => assertConforms(report)).not.toThrow();
  });

  test('catches a leaky margin head', () => {
    const leaky = () => defineMargin({
      name: 'leaky',
      logits: ({ cosine }) => {
        tf.keep(tf.mul(cosine, 2)); // a tensor kept and never disposed, every call
        return { logits: tf.mul(cosine, 16) as tf.Tensor2D };
      },
    });
    const report = checkMarginPlugin(leaky);
    expect(failed(report)).toEqual(['no-leak']);
    expect(() => assertConforms(report)).toThrow(/"leaky" fails conformance:\n {2}- no-leak: 5 tensors leaked over 5 calls/);
  });

  test('catches a margin head with a wrong gradient', () => {
    // Forward s·cos, backward 2·s: a hand-written gradient with a bug.
    const scaled = unaryCustomGrad((x) => ({ value: tf.mul(x, 16), gradFunc: (dy) => tf.mul(dy, 32) }));
    const wrong = () => defineMargin({ name: 'wrong-grad', logits: ({ cosine }) => ({ logits: scaled(cosine) as tf.Tensor2D }) });
    const report = checkMarginPlugin(wrong);
    expect(failed(report)).toEqual(['gradient']);
    expect(report.checks.find((c) => c.name === 'gradient')?.detail).toMatch(/tape gives .* finite differences give/);
  });

  test('catches NaN at cos = ±1 (unguarded sqrt(1 − cos²))', () => {
    const unsafe = () => defineMargin({
      name: 'unsafe-arc',
      logits: ({ cosine, targets }) => {
        const sin = tf.sqrt(tf.sub(1, tf.square(cosine)));
        const phi = tf.sub(tf.mul(cosine, Math.cos(0.5)), tf.mul(sin, Math.sin(0.5)));
        const onehot = tf.oneHot(targets, cosine.shape[1]);
        return { logits: tf.mul(tf.add(tf.mul(onehot, phi), tf.mul(tf.sub(1, onehot), cosine)), 16) as tf.Tensor2D };
      },
    });
    expect(failed(checkMarginPlugin(unsafe))).toEqual(['nan-safety']);
  });

  test('catches non-deterministic randomness and a broken state round trip', () => {
    let calls = 0;
    const random = () => defineMargin({
      name: 'unseeded',
      logits: ({ cosine }) => ({ logits: tf.mul(cosine, 10 + Math.random()) as tf.Tensor2D }),
    });
    expect(failed(checkMarginPlugin(random, { gradient: 'custom' }))).toContain('determinism');
    const forgetful = () => {
      let t = 0;
      return defineMargin({
        name: 'forgetful',
        logits: ({ cosine }, ctx) => {
          if (ctx.training) t += 1;
          calls++;
          return { logits: tf.mul(cosine, 10 + t) as tf.Tensor2D };
        },
        getState: () => ({ json: {} }), // forgets t
        setState: () => undefined,
      });
    };
    expect(failed(checkMarginPlugin(forgetful))).toEqual(['state']);
    expect(calls).toBeGreaterThan(0);
  });

  test('loss plugins are evaluated at cos = ±1: acos of the target cosine is caught', () => {
    const angular = (safe: boolean) => () => defineLoss({
      name: safe ? 'safe-angle' : 'raw-angle',
      requires: ['cosine'],
      terms: ({ cosine, labels }) => {
        const cosY = targetCosine(cosine!, labels);
        const theta = safe ? safeAcos(cosY) : tf.acos(cosY);
        return { terms: { angle: tf.mul(tf.mean(theta), 0.1) as tf.Scalar } };
      },
    });
    expect(failed(checkLossPlugin(angular(false)))).toEqual(['nan-safety']);
    expect(checkLossPlugin(angular(false)).checks.find((c) => c.name === 'nan-safety')?.detail).toMatch(/at cos = ±1/);
    expect(failed(checkLossPlugin(angular(true)))).toEqual([]);
  });

  test('the state round trip compares metrics too', () => {
    const counter = (remember: boolean) => () => {
      let seen = 0;
      return defineLoss({
        name: 'counter',
        terms: ({ embedding }, ctx) => {
          if (ctx.training) seen++;
          return { terms: { l2: tf.mul(tf.mean(tf.square(embedding)), 0.01) as tf.Scalar }, metrics: { seen } };
        },
        getState: () => ({ json: remember ? { seen } : {} }),
        setState: (s) => {
          seen = (s.json as { seen?: number }).seen ?? 0;
        },
      });
    };
    expect(failed(checkLossPlugin(counter(false)))).toEqual(['state']);
    expect(failed(checkLossPlugin(counter(true)))).toEqual([]);
  });

  test('loss plugins: terms with pairwise distances need the zero-distance guard', () => {
    const guarded = () => defineLoss({ name: 'spread', terms: ({ embedding }) => ({ terms: { spread: tf.mean(pairwiseEuclidean(embedding)) as tf.Scalar } }) });
    const naive = () => defineLoss({
      name: 'naive-spread',
      terms: ({ embedding }) => {
        const diff = tf.sub(tf.expandDims(embedding, 1), tf.expandDims(embedding, 0));
        return { terms: { spread: tf.mean(tf.sqrt(tf.sum(tf.square(diff), -1))) as tf.Scalar } };
      },
    });
    expect(failed(checkLossPlugin(guarded))).toEqual([]);
    // Its diagonal distances are 0 even for random inputs, so its tape gradient is NaN too.
    expect(failed(checkLossPlugin(naive))).toEqual(['gradient', 'nan-safety']);
    const weights = () => defineLoss({ name: 'w', requires: ['aux:tokens'], sampleWeights: ({ aux }) => ({ weights: tf.add(1, tf.exp(tf.neg(tf.mean(tf.abs(aux.tokens as tf.Tensor), [1, 2])))) as tf.Tensor1D }) });
    expect(failed(checkLossPlugin(weights, { aux: { tokens: [6, 4, 3] } }))).toEqual([]);
  });

  test('augment plugins and centre banks', () => {
    const flip = () => defineAugment({ name: 'flip', apply: ({ input, clean }) => ({ input: tf.reverse(input, 2) as tf.Tensor4D, clean: tf.reverse(clean, 2) as tf.Tensor4D }) });
    expect(failed(checkAugmentPlugin(flip))).toEqual([]);
    const probing = () => defineAugment({
      name: 'probing', requires: ['probe', 'aux:patchWeights'],
      apply: ({ input }, ctx) => ({ input: tf.mul(input, tf.reshape(tf.add(1, tf.max(ctx.probe().aux.patchWeights as tf.Tensor2D, 1)), [-1, 1, 1, 1])) as tf.Tensor4D, clean: 'unchanged' }),
    });
    expect(failed(checkAugmentPlugin(probing, { probeAux: ['patchWeights'] }))).toEqual([]);
    expect(failed(checkCenterBank(() => fullFC({ numClasses: 7, embeddingSize: 8 })))).toEqual([]);
  });
});
