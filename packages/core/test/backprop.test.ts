/**
 * variableGradsFreeing: the same gradients as tf.variableGrads (same functions, same order), no
 * tensor left behind, and a backward pass whose memory does not grow with depth.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Rng, selectBackend } from '../src/index.js';
import { batchNormTrain } from '../src/nn/batch-norm-train.js';
import { tf } from '../src/tf.js';
import { variableGradsFreeing, hasEngineInternals } from '../src/train/backprop.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

/** A float32 tensor of seeded uniform values in [lo, hi). */
function rand(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  return tf.tensor(Rng.fromSeed(seed).fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), lo, hi), shape);
}

/** A gradient that hands dy straight through (the same tensor object) to its input. */
const passThrough = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([]);
  return { value: tf.mul(x, 1), gradFunc: (dy: tf.Tensor) => [dy] };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

function model(): { vars: tf.Variable[]; loss: () => tf.Scalar } {
  const w1 = tf.variable(rand([3, 3, 4, 6], 1, -0.3, 0.3), true, 'w1');
  const gamma = tf.variable(rand([6], 2, 0.5, 1.5), true, 'gamma');
  const beta = tf.variable(rand([6], 3), true, 'beta');
  const alpha = tf.variable(rand([6], 4, 0, 0.5), true, 'alpha');
  const w2 = tf.variable(rand([6 * 5 * 5, 7], 5, -0.1, 0.1), true, 'w2');
  const unused = tf.variable(rand([2], 6), true, 'unused');
  const frozen = tf.variable(rand([7], 7), false, 'frozen');
  const x = rand([2, 5, 5, 4], 8);
  const loss = (): tf.Scalar => {
    const c = tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same');
    const residual = passThrough(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same')); // w1 used twice: gradients add up
    const h = batchNormTrain(c, gamma as tf.Tensor1D, beta as tf.Tensor1D, { eps: 1e-5, alpha: alpha as tf.Tensor1D, residual });
    tf.dispose([h.mean, h.variance]);
    const logits = tf.add(tf.matMul(tf.reshape(h.y, [2, -1]), w2), frozen);
    return tf.mean(tf.square(tf.mul(logits, tf.slice(beta, 0, 1)))) as tf.Scalar; // beta used twice too
  };
  return { vars: [w1, gamma, beta, alpha, w2, unused, frozen], loss };
}

describe('variableGradsFreeing', () => {
  test('the engine internals it needs are there', () => {
    expect(hasEngineInternals()).toBe(true);
  });

  test('gives exactly tf.variableGrads\' value and gradients, and leaves no tensor behind', () => {
    const { vars, loss } = model();
    const before = tf.memory().numTensors;
    const ours = variableGradsFreeing(loss, vars);
    const theirs = tf.variableGrads(loss, vars);
    expect(ours.value.dataSync()).toEqual(theirs.value.dataSync());
    expect(Object.keys(ours.grads).sort()).toEqual(['alpha', 'beta', 'gamma', 'w1', 'w2']);
    for (const name of Object.keys(ours.grads)) expect(ours.grads[name]!.dataSync(), name).toEqual(theirs.grads[name]!.dataSync());
    tf.dispose([ours.value, theirs.value, ...Object.values(ours.grads), ...Object.values(theirs.grads).filter((g): g is tf.Tensor => g != null)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(vars);
  });

  test('frees gradients and saved tensors as it goes: the backward peak does not grow with depth', () => {
    // y = Σ (x·1.0001…)² through `depth` element-wise steps; a probe at the start of the chain
    // (processed last) reads the bytes alive when the backward pass is nearly done.
    const peakAtEnd = (grads: typeof variableGradsFreeing, depth: number): number => {
      const x = tf.variable(rand([256, 256], 9), true);
      let seen = 0;
      const probe = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
        save([]);
        return { value: tf.mul(t, 1), gradFunc: (dy: tf.Tensor) => ((seen = tf.memory().numBytes), [tf.mul(dy, 1)]) };
      }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (t: tf.Tensor) => tf.Tensor;
      const result = grads(() => {
        let h = probe(x);
        for (let i = 0; i < depth; i++) h = tf.mul(h, 1 + i / 1e4);
        return tf.sum(tf.square(h)) as tf.Scalar;
      }, [x]);
      tf.dispose([result.value, ...Object.values(result.grads), x]);
      return seen;
    };
    const mb = 256 * 256 * 4;
    const oursShallow = peakAtEnd(variableGradsFreeing, 5);
    const oursDeep = peakAtEnd(variableGradsFreeing, 40);
    const tfjsDeep = peakAtEnd(tf.variableGrads as typeof variableGradsFreeing, 40);
    // tfjs holds ~2 tensors per step (saved input + gradient) until the end: ≥ 70 MB-sized tensors here.
    expect(tfjsDeep).toBeGreaterThan(70 * mb);
    expect(oursDeep).toBeLessThan(oursShallow + 2 * mb);
    expect(oursDeep).toBeLessThan(10 * mb);
  });

  test('refuses a non-scalar loss and an empty variable list, like tf.variableGrads', () => {
    const v = tf.variable(tf.ones([2]), true);
    expect(() => variableGradsFreeing(() => tf.mul(v, 2) as unknown as tf.Scalar, [v])).toThrow(/must return a scalar/);
    expect(() => variableGradsFreeing(() => tf.sum(v) as tf.Scalar, [])).toThrow(/no trainable variables/);
    v.dispose();
  });
});
