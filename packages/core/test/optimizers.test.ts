import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Sgd, AdamW, selectBackend } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** Runs an optimiser for three steps on p = [1, −2, 0.5] with gradients g_t = t·[0.1, 0.2, −0.3]. */
function run(opt: Sgd | AdamW, lrs: number[], noDecay = new Set<string>()): number[] {
  const p = tf.variable(tf.tensor1d([1, -2, 0.5]));
  const params = new Map([['p', p]]);
  lrs.forEach((lr, t) => {
    const g = tf.tensor1d([0.1, 0.2, -0.3].map((x) => x * (t + 1)));
    opt.apply(params, new Map([['p', g]]), lr, noDecay);
    g.dispose();
  });
  const out = Array.from(p.dataSync());
  p.dispose();
  opt.dispose();
  return out;
}

// Reference values from torch.optim (Debian python3-torch 1.13, float64) for the same sequence.
describe('optimisers follow PyTorch', () => {
  test('SGD with momentum and weight decay', () => {
    const got = run(new Sgd({ momentum: 0.9, weightDecay: 5e-4, nesterov: false }), [0.1, 0.1, 0.05]);
    const want = [0.932739, -2.1336711, 0.7010385];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 5));
  });

  test('SGD Nesterov', () => {
    const got = run(new Sgd({ momentum: 0.9, weightDecay: 5e-4, nesterov: true }), [0.1, 0.1, 0.05]);
    const want = [0.8943438, -2.2100465, 0.8158609];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 5));
  });

  test('AdamW with decoupled decay; noDecay exempts a parameter', () => {
    const got = run(new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 }), [0.01, 0.01, 0.005]);
    const want = [0.97308, -2.019426, 0.523173];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 5));
    const exempt = run(new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 }), [0.01, 0.01, 0.005], new Set(['p']));
    const plain = [0.9755582, -2.0244418, 0.5244418]; // torch AdamW with weight_decay 0
    exempt.forEach((v, i) => expect(v).toBeCloseTo(plain[i] as number, 5));
  });

  test('state round trip and mismatch errors', () => {
    const p = tf.variable(tf.tensor1d([1, 2]));
    const params = new Map([['p', p]]);
    const a = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    a.apply(params, new Map([['p', tf.tensor1d([0.5, -0.5])]]), 0.1, new Set());
    const b = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    b.setState(a.getState(), params);
    expect(b.getState().json).toEqual({ t: { p: 1 } });
    const wrong = new Map([['p', tf.variable(tf.tensor1d([1, 2, 3]))]]);
    expect(() => new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }).setState(a.getState(), wrong)).toThrow(/slot "m\/p" has shape \[2\], parameter has \[3\]/);
    a.dispose();
    b.dispose();
  });
});
