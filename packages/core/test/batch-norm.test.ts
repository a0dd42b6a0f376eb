import { beforeAll, describe, expect, test } from 'vitest';
import { tf, BatchNorm, Rng, selectBackend } from '../src/index.js';
import { batchNormTrain } from '../src/nn/batch-norm-train.js';
import { checkGradients } from '../src/testing/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** tfjs' own composition (moments + batchNorm), the reference for values and gradients. */
function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const { mean, variance } = tf.moments(x, axes);
  return tf.batchNorm(x, mean, variance, beta, gamma, eps);
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number;

describe('BatchNorm training forward/backward', () => {
  for (const shape of [[6, 5], [3, 4, 5, 7]]) {
    test(`batchNormTrain matches tfjs' composition for [${shape}] (values and gradients)`, () => {
      const rng = Rng.fromSeed(3);
      const size = shape.reduce((a, b) => a * b, 1);
      const c = shape[shape.length - 1] as number;
      const x = tf.tensor(rng.fillNormal(new Float32Array(size), 0.5, 2), shape);
      const gamma = tf.tensor1d(rng.fillUniform(new Float32Array(c), 0.5, 1.5));
      const beta = tf.tensor1d(rng.fillNormal(new Float32Array(c)));
      const w = tf.tensor(rng.fillNormal(new Float32Array(size)), shape);
      const ours = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const out = batchNormTrain(a, g as tf.Tensor1D, b as tf.Tensor1D, { eps: 1e-5 });
        tf.dispose([out.mean, out.variance]);
        return tf.sum(tf.mul(out.y, w)) as tf.Scalar;
      };
      const theirs = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(reference(a, g, b, 1e-5), w)) as tf.Scalar;
      expect(Math.abs((ours(x, gamma, beta).dataSync()[0] as number) - (theirs(x, gamma, beta).dataSync()[0] as number))).toBeLessThan(1e-3);
      const mine = tf.grads(ours)([x, gamma, beta]);
      const ref = tf.grads(theirs)([x, gamma, beta]);
      mine.forEach((g, i) => expect(maxDiff(g, ref[i] as tf.Tensor)).toBeLessThan(2e-4));
      expect(checkGradients(ours, [x, gamma, beta])).toMatch(/match/);
    });
  }

  test('the layer updates running statistics (unbiased variance, momentum 0.1) and normalises', () => {
    const rng = Rng.fromSeed(4);
    const x = tf.tensor(rng.fillNormal(new Float32Array(2 * 3 * 3 * 4), 1, 3), [2, 3, 3, 4]);
    const bn = new BatchNorm({ channels: 4 });
    const y = bn.forward(x, { training: true });
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    expect(maxDiff(bn.runningMean, tf.mul(mean, 0.1))).toBeLessThan(1e-5);
    expect(maxDiff(bn.runningVar, tf.add(0.9, tf.mul(variance, 0.1 * 18 / 17)))).toBeLessThan(1e-4);
    const m = tf.moments(y, [0, 1, 2]);
    expect(tf.max(tf.abs(m.mean)).dataSync()[0]).toBeLessThan(1e-5);
    expect(maxDiff(m.variance, tf.onesLike(m.variance))).toBeLessThan(1e-3);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      bn.forward(x, { training: true });
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('PReLU backward', () => {
  test('matches tfjs\' own gradient (x and α), including x = 0', async () => {
    const { PReLU } = await import('../src/index.js');
    const rng = Rng.fromSeed(5);
    const x = tf.tensor4d(Float32Array.from(rng.fillNormal(new Float32Array(2 * 3 * 3 * 4)), (v, i) => (i % 7 === 0 ? 0 : v)), [2, 3, 3, 4]);
    const layer = new PReLU(4);
    layer.alpha.assign(tf.tensor1d([0.25, -0.1, 0.5, 1.2]));
    const w = tf.tensor(rng.fillNormal(new Float32Array(x.size)), x.shape);
    const ours = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(layer.forward(a), w)))([x]);
    const theirs = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.prelu(a, layer.alpha as tf.Tensor), w)))([x]);
    expect(maxDiff(ours[0] as tf.Tensor, theirs[0] as tf.Tensor)).toBeLessThan(1e-6);
    const da = tf.variableGrads(() => tf.sum(tf.mul(layer.forward(x), w)) as tf.Scalar, [layer.alpha]).grads;
    const ref = tf.variableGrads(() => tf.sum(tf.mul(tf.prelu(x, layer.alpha as tf.Tensor), w)) as tf.Scalar, [layer.alpha]).grads;
    expect(maxDiff(da[layer.alpha.name] as tf.Tensor, ref[layer.alpha.name] as tf.Tensor)).toBeLessThan(1e-5);
  });
});
