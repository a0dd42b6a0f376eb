/**
 * @fr's own wasm SIMD kernels (simd/ in this package) against the cpu backend, where the same ops run
 * as tf-op compositions or tfjs' kernels: the fused batch norm (+ PReLU + residual), the conv and
 * depthwise gradients (input and filter) at channel counts that reach every vector path (register
 * blocks, 4-wide loops, scalar tails), transpose, slice, row normalisation and the margin head's
 * kernels — values and gradients, NaN/Inf inputs, leak checks. wasm-kernels.test.ts runs the
 * conv gradients over its 14 stride/padding configurations too.
 */
import { setFlagsFromString } from 'node:v8';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  FR_BATCH_NORM_ACT,
  FR_BATCH_NORM_ACT_GRAD,
  backendHasKernel,
  batchNormTrain,
  clipByValue,
  l2Normalize,
  replaceTargetLogit,
  selectBackend,
  softmaxCrossEntropy,
  targetCosine,
  tf,
} from '@fr/core';
import '../src/index.js';
import { mergeAxes } from '../src/kernels/simd/transpose.js';
import { expectClose, expectNoLeak, onWasmAndCpu, rand, values } from './helpers/wasm-parity.js';

/** Long float32 reductions summed in different orders (per-channel sums over every row). */
const TOL_LONG_SUM = 1e-4;

beforeAll(async () => {
  // Compile every wasm function with TurboFan from the start (the tier a training step runs in):
  // the baseline compiler alone hid a TurboFan miscompilation once (see simd/src/common.h).
  setFlagsFromString('--no-liftoff');
  await selectBackend('wasm', { log: null });
});

interface BnCase {
  readonly shape: readonly number[];
  readonly prelu: boolean;
  readonly residual: boolean;
}

/** Odd channel counts (scalar tails), 20 = 16 + 4, a 2-D input, a single row (variance 0). */
const SHAPES: readonly (readonly number[])[] = [[2, 5, 7, 3], [3, 4, 4, 20], [37, 13], [1, 1, 1, 8], [2, 3, 3, 23]];
const CASES: readonly BnCase[] = SHAPES.flatMap((shape) => [false, true].flatMap((prelu) => [false, true].map((residual) => ({ shape, prelu, residual }))));

/** Value, batch statistics and the gradients w.r.t. every input of the fused op, in that order. */
function bnOutputs(c: BnCase, x: tf.Tensor): tf.Tensor[] {
  const ch = c.shape[c.shape.length - 1] as number;
  const gamma = rand([ch], 2, 0.5, 1.5) as tf.Tensor1D;
  const beta = rand([ch], 3, -0.5, 0.5) as tf.Tensor1D;
  // Slopes of both signs and above 1, as PReLU learns them.
  const alpha = rand([ch], 4, -0.3, 1.3) as tf.Tensor1D;
  const residual = rand(c.shape, 5, -2, 2);
  const weight = rand(c.shape, 6, -1, 1);
  const inputs = [x, gamma, beta, ...(c.prelu ? [alpha] : []), ...(c.residual ? [residual] : [])];
  const f = (...t: tf.Tensor[]): tf.Scalar => {
    const out = batchNormTrain(t[0]!, t[1] as tf.Tensor1D, t[2] as tf.Tensor1D, {
      eps: 1e-5,
      ...(c.prelu ? { alpha: t[3] as tf.Tensor1D } : {}),
      ...(c.residual ? { residual: t[c.prelu ? 4 : 3]! } : {}),
    });
    tf.dispose([out.mean, out.variance]);
    return tf.sum(tf.mul(out.y, weight));
  };
  const forward = batchNormTrain(x, gamma, beta, { eps: 1e-5, ...(c.prelu ? { alpha } : {}), ...(c.residual ? { residual } : {}) });
  // The statistics come out kept (tf.keep: a tidy would not free them); hand back copies.
  const stats = [tf.clone(forward.mean), tf.clone(forward.variance)];
  tf.dispose([forward.mean, forward.variance]);
  return [forward.y, ...stats, ...tf.grads(f)(inputs)];
}

const describeCase = (c: BnCase): string => `[${c.shape}]${c.prelu ? ' + PReLU' : ''}${c.residual ? ' + residual' : ''}`;

describe('fused batch norm (FrBatchNormAct) on wasm', () => {
  test('is registered for wasm and used by batchNormTrain', () => {
    expect(backendHasKernel(FR_BATCH_NORM_ACT)).toBe(true);
    expect(backendHasKernel(FR_BATCH_NORM_ACT_GRAD)).toBe(true);
    const before = tf.memory().numTensors;
    // The fused path returns its statistics from the kernel: exactly value + mean + variance survive.
    const out = batchNormTrain(rand([2, 2, 2, 4], 1), rand([4], 2) as tf.Tensor1D, rand([4], 3) as tf.Tensor1D, { eps: 1e-5 });
    expect(tf.memory().numTensors - before).toBe(3 + 3); // 3 inputs made here + 3 outputs
    tf.dispose([out.y, out.mean, out.variance]);
  });

  for (const c of CASES) {
    test(`matches the cpu composition: ${describeCase(c)} (value, statistics, gradients)`, async () => {
      expectClose(describeCase(c), await onWasmAndCpu(() => bnOutputs(c, rand(c.shape, 1, -3, 5))), TOL_LONG_SUM);
    });
  }

  test('NaN and ±Inf in one channel stay in that channel, as on cpu', async () => {
    const shape = [2, 3, 3, 6];
    const data = values(2 * 3 * 3 * 6, 7, -2, 2);
    data[6 * 4 + 1] = Number.NaN; // channel 1
    data[6 * 7 + 4] = Number.POSITIVE_INFINITY; // channel 4
    for (const prelu of [false, true]) {
      const c: BnCase = { shape, prelu, residual: true };
      const got = await onWasmAndCpu(() => bnOutputs(c, tf.tensor(data, shape)));
      expectClose(`non-finite ${describeCase(c)}`, got, TOL_LONG_SUM);
      // Channels 0, 2, 3, 5 are finite everywhere in the value; channels 1 and 4 are not.
      const y = got.wasm[0]!.data;
      const finiteIn = (ch: number): boolean => y.filter((_, i) => i % 6 === ch).every(Number.isFinite);
      expect([0, 1, 2, 3, 4, 5].map(finiteIn)).toEqual([true, false, true, true, false, true]);
    }
  });

  test('rejects a gamma of the wrong length, naming it', () => {
    expect(() => tf.engine().runKernel(FR_BATCH_NORM_ACT, { x: rand([2, 4], 1), gamma: rand([3], 2), beta: rand([4], 3) }, { eps: 1e-5 })).toThrow(/'gamma' must have shape \[4\]/);
  });

  test('does not leak tensors, data ids or wasm heap (forward and backward)', () => {
    expectNoLeak(() => bnOutputs({ shape: [2, 5, 5, 20], prelu: true, residual: true }, rand([2, 5, 5, 20], 1)));
  });
});

describe('depthwise filter gradient (SIMD) on wasm', () => {
  // Channel counts 16 + 4 + 3 and 32 reach the 16-wide blocks, the 4-wide loop and the scalar tail.
  const configs = [
    { x: [2, 9, 9, 23], strides: 1, pad: 'same' as const },
    { x: [2, 10, 9, 32], strides: 2, pad: 'same' as const },
    { x: [1, 7, 8, 20], strides: 2, pad: 'valid' as const },
    { x: [3, 6, 6, 5], strides: 1, pad: 1 },
  ];
  for (const c of configs) {
    test(`matches cpu: x[${c.x}] 3x3 s${c.strides} pad ${c.pad}`, async () => {
      const f = (): tf.Tensor[] => {
        const x = rand(c.x, 1) as tf.Tensor4D;
        const w = rand([3, 3, c.x[3]!, 1], 2) as tf.Tensor4D;
        const dy = tf.onesLike(tf.depthwiseConv2d(x, w, c.strides, c.pad));
        const weight = rand(dy.shape, 3);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), weight)))([x, w]);
      };
      expectClose(`depthwise x[${c.x}]`, await onWasmAndCpu(f), TOL_LONG_SUM);
    });
  }
});

describe('conv filter gradient (SIMD) on wasm', () => {
  // Channels that reach the 4×8 register blocks, the 1×4 blocks and the scalar tails.
  const configs = [
    { x: [2, 9, 9, 8], outChannels: 16, kernel: 3, strides: 1, pad: 'same' as const },
    { x: [2, 10, 9, 7], outChannels: 13, kernel: 3, strides: 2, pad: 1 },
    { x: [3, 6, 7, 3], outChannels: 20, kernel: 3, strides: 1, pad: 'valid' as const },
    { x: [2, 5, 5, 12], outChannels: 9, kernel: 1, strides: 1, pad: 0 },
    { x: [1, 8, 8, 4], outChannels: 8, kernel: 5, strides: 2, pad: 2 },
  ];
  for (const c of configs) {
    test(`matches cpu: x[${c.x}] ${c.kernel}x${c.kernel} → ${c.outChannels} s${c.strides} pad ${c.pad}`, async () => {
      const f = (): tf.Tensor[] => {
        const x = rand(c.x, 1) as tf.Tensor4D;
        const w = rand([c.kernel, c.kernel, c.x[3]!, c.outChannels], 2) as tf.Tensor4D;
        const weight = rand(tf.conv2d(x, w, c.strides, c.pad).shape, 3);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), weight)))([x, w]);
      };
      expectClose(`conv x[${c.x}]`, await onWasmAndCpu(f), TOL_LONG_SUM);
    });
  }
});

describe('Transpose (SIMD) on wasm', () => {
  test('mergeAxes merges axes that stay adjacent and drops size-1 axes', () => {
    expect(mergeAxes([2, 3, 4, 5], [0, 3, 1, 2])).toEqual({ shape: [2, 12, 5], perm: [0, 2, 1] });
    expect(mergeAxes([2, 1, 4, 5], [2, 1, 0, 3])).toEqual({ shape: [2, 4, 5], perm: [1, 0, 2] });
    expect(mergeAxes([6, 7], [0, 1])).toEqual({ shape: [42], perm: [0] });
    expect(mergeAxes([1, 1], [1, 0])).toEqual({ shape: [], perm: [] });
  });

  // Sizes off multiples of 4 (tile edges), size-1 axes, the conv filter gradient's permutations.
  const cases: readonly [number[], number[]][] = [
    [[5, 7], [1, 0]],
    [[8, 12], [1, 0]],
    [[3, 5, 6, 7], [3, 1, 2, 0]],
    [[4, 6, 5, 9], [1, 2, 0, 3]],
    [[2, 3, 5, 6], [0, 3, 1, 2]],
    [[2, 1, 5, 3], [3, 2, 1, 0]],
    [[9, 4, 4, 13], [2, 0, 3, 1]],
    [[2, 3, 4, 5, 6], [4, 2, 0, 3, 1]], // merged rank 5: tfjs' kernel
    [[17], [0]],
  ];
  for (const [shape, perm] of cases) {
    test(`matches cpu: [${shape}] perm [${perm}] (float32 and int32)`, async () => {
      const got = await onWasmAndCpu(() => {
        const x = rand(shape, 1, -100, 100);
        return [tf.transpose(x, perm), tf.transpose(tf.cast(x, 'int32'), perm)];
      });
      expectClose(`transpose [${shape}] [${perm}]`, got, 0);
    });
  }

  test('does not leak', () => {
    expectNoLeak(() => tf.transpose(rand([3, 5, 6, 7], 1), [3, 1, 2, 0]));
  });
});

describe('row L2 normalisation (FrL2Normalize) on wasm', () => {
  // d = 13 (scalar tails), 512 (the embedding width), a zero row (the ε branch), NaN and Inf rows.
  const cases: readonly [string, () => tf.Tensor][] = [
    ['[37, 13]', () => rand([37, 13], 1, -2, 2)],
    ['[3, 4, 512]', () => rand([3, 4, 512], 2, -1, 1)],
    ['a zero row', () => tf.concat([rand([2, 8], 3), tf.zeros([1, 8]), rand([1, 8], 4)])],
    ['NaN and Inf rows', () => tf.tensor2d([[1, Number.NaN, 2, 3, 4], [1, 2, Number.POSITIVE_INFINITY, 3, 4], [0.5, -1, 2, 0, 1]])],
  ];
  for (const [name, make] of cases) {
    test(`matches the cpu composition: ${name} (value and gradient)`, async () => {
      const got = await onWasmAndCpu(() => {
        const x = make();
        const w = rand(x.shape, 9, -1, 1);
        const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(l2Normalize(a), w)))([x]);
        return [l2Normalize(x), dx!];
      });
      expectClose(name, got, 1e-5);
    });
  }

  test('does not leak', () => {
    expectNoLeak(() => tf.grads((a: tf.Tensor) => tf.sum(tf.square(l2Normalize(a))))([rand([9, 20], 1)]));
  });
});

describe('Slice on wasm (rows from a heap view)', () => {
  const cases: readonly [number[], number[], number[]][] = [
    [[7], [2], [4]],
    [[5, 6], [1, 2], [3, 3]],
    [[4, 5, 6], [1, 0, 2], [2, 5, 3]],
    [[3, 4, 5, 6], [1, 1, 0, 2], [2, 2, -1, 3]],
    [[2, 3, 2, 3, 4], [1, 0, 1, 1, 1], [1, 3, 1, 2, 2]],
    [[4, 4], [0, 0], [4, 4]],
    [[4, 4], [2, 1], [0, 3]],
  ];
  for (const [shape, begin, size] of cases) {
    test(`matches cpu: [${shape}] begin [${begin}] size [${size}] (float32, int32, bool)`, async () => {
      const got = await onWasmAndCpu(() => {
        const x = rand(shape, 1, -9, 9);
        return [tf.slice(x, begin, size), tf.slice(tf.cast(x, 'int32'), begin, size), tf.cast(tf.slice(tf.greater(x, 0), begin, size), 'float32')];
      });
      expectClose(`slice [${shape}]`, got, 0);
    });
  }

  test('rejects a slice past the end, like tfjs', () => {
    expect(() => tf.slice(rand([4, 4], 1), [2, 2], [3, 1])).toThrow(/Error in slice2D: begin\[0\] \+ size\[0\]/);
  });
});

describe('margin head kernels on wasm (cross-entropy, target logits, clamp gradient)', () => {
  /** Cosines in [−1.1, 1.1] (the clamp bites), targets with one outside [0, C) (a zero one-hot row). */
  function head(rows: number, cols: number, withOutside: boolean): tf.Tensor[] {
    const raw = rand([rows, cols], 11, -1.1, 1.1) as tf.Tensor2D;
    const targets = tf.tensor1d(Array.from({ length: rows }, (_, i) => (withOutside && i === 1 ? cols + 3 : (i * 7) % cols)), 'int32');
    const w = rand([rows, cols], 12, -1, 1);
    const f = (c: tf.Tensor): tf.Scalar => {
      const cos = clipByValue(c as tf.Tensor2D, -1, 1);
      const cosY = targetCosine(cos, targets);
      const target = tf.sub(tf.mul(cosY, 0.9), 0.05) as tf.Tensor1D; // stands in for a margin
      const logits = replaceTargetLogit(cos, targets, target, 30);
      return tf.add(tf.sum(softmaxCrossEntropy(logits, targets)), tf.mul(tf.sum(tf.mul(cos, w)), 1e-3)) as tf.Scalar;
    };
    const cos = clipByValue(raw, -1, 1);
    const logits = replaceTargetLogit(cos, targets, targetCosine(cos, targets), 30);
    return [logits, softmaxCrossEntropy(logits, targets), f(raw), ...tf.grads(f)([raw])];
  }
  for (const [rows, cols, outside] of [[5, 13, true], [4, 1000, false], [3, 3, true], [2, 2, false]] as const) {
    test(`matches the cpu composition: [${rows}, ${cols}]${outside ? ', a target outside [0, C)' : ''} (value and gradient)`, async () => {
      expectClose(`head [${rows},${cols}]`, await onWasmAndCpu(() => head(rows, cols, outside)), 2e-5);
    });
  }

  test('cross-entropy: very large logits keep their digits, NaN rows stay NaN', async () => {
    const got = await onWasmAndCpu(() => {
      const z = tf.tensor2d([[1000, 999, -1000, 0, 3], [-500, -502, -501, -503, -500.5], [1, Number.NaN, 2, 3, 4]]);
      const t = tf.tensor1d([1, 4, 0], 'int32');
      const [dz] = tf.grads((a: tf.Tensor) => tf.sum(softmaxCrossEntropy(a as tf.Tensor2D, t)))([z]);
      return [softmaxCrossEntropy(z, t), dz!];
    });
    expectClose('extreme logits', got, 1e-6);
  });

  test('cross-entropy: a −Inf logit is just an impossible class (cpu\'s composition says NaN)', () => {
    const z = tf.tensor2d([[0, Number.NEGATIVE_INFINITY, 1, 2, 3]]);
    const loss = softmaxCrossEntropy(z, tf.tensor1d([4], 'int32')).dataSync()[0]!;
    const want = Math.log(1 + Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
    expect(Math.abs(loss - want)).toBeLessThan(1e-6);
  });

  test('do not leak', () => {
    expectNoLeak(() => head(6, 40, true));
  });
});
