/**
 * The wasm backend trains what a face backbone and its losses need: every kernel @fr registers for
 * wasm, and every op on the list below (value and gradients with respect to all float inputs), is
 * compared against the cpu backend, and checked for leaks.
 *
 * Tolerances are on the scaled error max|wasm − cpu| / max|cpu| (per output, relative to the
 * reference's peak so one number fits any magnitude):
 * - 1e-4 for convolutions, matrix products, normalisation and other long float32 reductions
 *   (XNNPACK and the cpu loops sum in different orders);
 * - 1e-5 for element-wise ops, pooling, data movement (different libm / summation of a few terms);
 * - 0 for integer outputs (argMax, topk indices, int32 segment sums).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend, tf } from '@fr/core';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../src/index.js';
import { expectClose, expectNoLeak, onWasmAndCpu, rand } from './helpers/wasm-parity.js';

const TOL_LONG_SUM = 1e-4;
const TOL_ELEMENTWISE = 1e-5;
const EXACT = 0;

beforeAll(async () => {
  await selectBackend('wasm', { log: null });
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface ConvConfig {
  readonly x: readonly [number, number, number, number];
  readonly kernel: readonly [number, number];
  /** Output channels (regular conv) — depthwise configs ignore it (multiplier 1). */
  readonly outChannels: number;
  readonly strides: number | [number, number];
  readonly pad: Pad;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Strides 1 and 2 (and mixed), same / valid / numeric / explicit padding, odd and even sizes, N = 1, pointwise. */
const CONV_CONFIGS: readonly ConvConfig[] = [
  { x: [2, 7, 8, 3], kernel: [3, 3], outChannels: 4, strides: 1, pad: 'same' },
  { x: [2, 7, 8, 3], kernel: [3, 3], outChannels: 4, strides: 2, pad: 'same' },
  { x: [2, 8, 8, 3], kernel: [3, 3], outChannels: 5, strides: 2, pad: 'same' },
  { x: [1, 5, 5, 1], kernel: [3, 3], outChannels: 1, strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], kernel: [3, 3], outChannels: 4, strides: 1, pad: 'valid' },
  { x: [1, 10, 9, 2], kernel: [3, 3], outChannels: 3, strides: 2, pad: 'valid' }, // last input row unused
  { x: [3, 6, 6, 4], kernel: [1, 1], outChannels: 5, strides: 2, pad: 'valid' }, // every other row unused
  { x: [2, 5, 6, 3], kernel: [1, 1], outChannels: 4, strides: 1, pad: 'valid' }, // pointwise: the filter gradient is one matmul
  { x: [1, 3, 3, 7], kernel: [1, 1], outChannels: 2, strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], kernel: [5, 5], outChannels: 2, strides: 1, pad: 1 },
  { x: [2, 8, 8, 3], kernel: [3, 3], outChannels: 4, strides: 2, pad: 1 },
  { x: [2, 8, 8, 2], kernel: [3, 3], outChannels: 3, strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [2, 8, 9, 3], kernel: [3, 3], outChannels: 4, strides: [1, 2], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { x: [2, 6, 6, 2], kernel: [2, 2], outChannels: 3, strides: 1, pad: [[0, 0], [3, 0], [0, 2], [0, 0]] }, // pad wider than the kernel
];

function describeConv(c: ConvConfig): string {
  return `x[${c.x}] k${c.kernel.join('x')} s${c.strides} pad ${JSON.stringify(c.pad)}${c.dimRoundingMode ? ' ' + c.dimRoundingMode : ''}`;
}

function convInfo(c: ConvConfig, depthwise: boolean): tf.backend_util.Conv2DInfo {
  const filter = [c.kernel[0], c.kernel[1], c.x[3], depthwise ? 1 : c.outChannels] as [number, number, number, number];
  return tf.backend_util.computeConv2DInfo([...c.x], filter, c.strides, 1, c.pad, c.dimRoundingMode, depthwise);
}

/** Calls one kernel through the engine on the current backend. */
function kernel(name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

const convKernels = {
  filter: (c: ConvConfig) => {
    const info = convInfo(c, false);
    const args = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, filterShape: info.filterShape };
    return () => kernel(tf.Conv2DBackpropFilter, { x: rand(c.x, 1), dy: rand(info.outShape, 2) }, args);
  },
  input: (c: ConvConfig) => {
    const info = convInfo(c, false);
    const args = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, inputShape: c.x };
    return () => kernel(tf.Conv2DBackpropInput, { dy: rand(info.outShape, 2), filter: rand(info.filterShape, 3) }, args);
  },
  depthwiseFilter: (c: ConvConfig) => {
    const info = convInfo(c, true);
    const args = { strides: c.strides, pad: c.pad, dilations: 1, dimRoundingMode: c.dimRoundingMode, filterShape: info.filterShape };
    return () => kernel(tf.DepthwiseConv2dNativeBackpropFilter, { x: rand(c.x, 1), dy: rand(info.outShape, 2) }, args);
  },
  depthwiseInput: (c: ConvConfig) => {
    const info = convInfo(c, true);
    const args = { strides: c.strides, pad: c.pad, dilations: 1, dimRoundingMode: c.dimRoundingMode, inputShape: c.x };
    return () => kernel(tf.DepthwiseConv2dNativeBackpropInput, { dy: rand(info.outShape, 2), filter: rand(info.filterShape, 3) }, args);
  },
};

describe('registered wasm kernels', () => {
  test('are the ones listed, registered for wasm, and registering again changes nothing', () => {
    expect(WASM_TRAINING_KERNELS).toEqual(
      expect.arrayContaining([
        tf.Conv2DBackpropFilter,
        tf.Conv2DBackpropInput,
        tf.DepthwiseConv2dNativeBackpropInput,
        tf.DepthwiseConv2dNativeBackpropFilter,
        tf.UnsortedSegmentSum,
        tf.BatchMatMul,
        tf.MaxPoolGrad,
        tf.GatherV2,
        tf.Sum,
        tf.Mean,
        tf.MaxPoolWithArgmax,
        tf.Einsum,
      ]),
    );
    const before = WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
    expect(before.every((fn) => typeof fn === 'function')).toBe(true);
    registerWasmTrainingKernels();
    expect(WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc)).toEqual(before);
  });

  for (const [kind, make] of Object.entries(convKernels)) {
    describe(`conv ${kind} gradient`, () => {
      for (const config of CONV_CONFIGS) {
        test(`matches cpu: ${describeConv(config)}`, async () => {
          const run = make(config);
          expectClose(describeConv(config), await onWasmAndCpu(() => [run()]), TOL_LONG_SUM);
        });
      }
      test('does not leak tensors, data ids or wasm heap', () => {
        expectNoLeak(make({ x: [2, 9, 9, 4], kernel: [3, 3], outChannels: 5, strides: 2, pad: 'same' }));
      });
    });
  }

  test('conv gradients reject NCHW and depthwise gradients reject a channel multiplier ≠ 1 or dilations', () => {
    const x = rand([1, 4, 4, 2], 1);
    expect(() =>
      kernel(tf.Conv2DBackpropFilter, { x, dy: rand([1, 4, 4, 2], 2) }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] }),
    ).toThrow(/only dataFormat 'NHWC'/);
    expect(() =>
      kernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy: rand([1, 4, 4, 4], 2) }, { strides: 1, pad: 'same', dilations: 1, filterShape: [3, 3, 2, 2] }),
    ).toThrow(/channel multiplier 1/);
    expect(() =>
      kernel(tf.DepthwiseConv2dNativeBackpropInput, { dy: rand([1, 4, 4, 4], 2), filter: rand([3, 3, 2, 2], 3) }, { strides: 1, pad: 'same', dilations: 1, inputShape: [1, 4, 4, 2] }),
    ).toThrow(/channel multiplier 1/);
    expect(() =>
      kernel(tf.DepthwiseConv2dNativeBackpropInput, { dy: rand([1, 4, 4, 2], 2), filter: rand([3, 3, 2, 1], 3) }, { strides: 1, pad: 'same', dilations: 2, inputShape: [1, 4, 4, 2] }),
    ).toThrow(/dilations other than 1/);
    x.dispose();
  });

  describe('UnsortedSegmentSum (gather gradient)', () => {
    const cases: { name: string; run: () => tf.Tensor; tol: number }[] = [
      { name: 'ids in range, rows of 4', run: () => tf.unsortedSegmentSum(rand([6, 4], 1), tf.tensor1d([0, 2, 2, 1, 0, 2], 'int32'), 3), tol: TOL_ELEMENTWISE },
      { name: 'ids out of range are dropped', run: () => tf.unsortedSegmentSum(rand([6, 4], 1), tf.tensor1d([0, 2, 2, -1, 5, 1], 'int32'), 3), tol: TOL_ELEMENTWISE },
      { name: 'rank-3 data', run: () => tf.unsortedSegmentSum(rand([4, 3, 2], 2), tf.tensor1d([3, 0, 3, 1], 'int32'), 5), tol: TOL_ELEMENTWISE },
      { name: 'rank-1 data, more segments than rows', run: () => tf.unsortedSegmentSum(rand([5], 3), tf.tensor1d([7, 0, 7, 2, 9], 'int32'), 10), tol: TOL_ELEMENTWISE },
    ];
    for (const c of cases) {
      test(`matches cpu: ${c.name}`, async () => {
        expectClose(c.name, await onWasmAndCpu(() => [c.run()]), c.tol);
      });
    }
    test('int32 data stays int32 (the cpu kernel returns float32 here)', () => {
      const out = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2);
      expect(out.dtype).toBe('int32');
      expect(out.arraySync()).toEqual([
        [5, 6],
        [4, 6],
      ]);
      out.dispose();
    });
    test('does not leak (including the out-of-range path)', () => {
      expectNoLeak(() => tf.unsortedSegmentSum(rand([6, 4], 1), tf.tensor1d([0, 2, 2, -1, 5, 1], 'int32'), 3));
      expectNoLeak(() => tf.unsortedSegmentSum(rand([6, 4], 1), tf.tensor1d([0, 2, 2, 1, 0, 2], 'int32'), 3));
    });
  });

  describe('Sum and Mean over leading axes (batch-norm statistics as one average pooling)', () => {
    const cases: { name: string; run: () => tf.Tensor[] }[] = [
      { name: 'NHWC activation to [C]', run: () => [tf.sum(rand([4, 9, 9, 16], 1), [0, 1, 2]), tf.mean(rand([4, 9, 9, 16], 1), [0, 1, 2])] },
      { name: 'keepDims, axes given out of order and negative', run: () => [tf.sum(rand([3, 5, 6], 2), [-2, 0], true), tf.mean(rand([3, 5, 6], 2), [1, 0], true)] },
      { name: 'rank 2 over rows (bias gradient)', run: () => [tf.sum(rand([64, 512], 3), 0), tf.mean(rand([64, 512], 3), 0)] },
      { name: 'inner and middle axes keep wasm kernel', run: () => [tf.sum(rand([3, 5, 6], 4), [1, 2]), tf.mean(rand([3, 5, 6], 4), 1), tf.sum(rand([3, 5, 6], 4))] },
      { name: 'one row or one column', run: () => [tf.sum(rand([1, 8], 5), 0), tf.mean(rand([8, 1], 5), 0)] },
      { name: 'int32 data', run: () => [tf.sum(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32'), 0)] },
      { name: 'moments and their gradient', run: () => [tf.grad((x: tf.Tensor) => tf.sum(tf.moments(x, [0, 1, 2]).variance))(rand([2, 6, 6, 8], 6))] },
    ];
    for (const c of cases) {
      test(`matches cpu: ${c.name}`, async () => {
        expectClose(c.name, await onWasmAndCpu(c.run), TOL_LONG_SUM);
      });
    }
    test('a large reduction stays accurate (401 408 rows, float64 reference)', () => {
      const x = rand([32, 112, 112, 4], 7, 0, 1);
      const got = tf.sum(x, [0, 1, 2]).dataSync();
      const inner = tf.sum(tf.transpose(tf.reshape(x, [-1, 4])), 1).dataSync(); // wasm's own (sequential float32) sum
      const data = x.dataSync();
      const want = new Float64Array(4);
      for (let i = 0; i < data.length; i++) want[i % 4] = want[i % 4]! + data[i]!;
      for (let c = 0; c < 4; c++) {
        const error = Math.abs(got[c]! - want[c]!) / want[c]!;
        expect(error).toBeLessThan(1e-4);
        expect(error).toBeLessThanOrEqual(Math.max(2e-5, 2 * Math.abs(inner[c]! - want[c]!) / want[c]!));
      }
      x.dispose();
    });
    test('NaN and Inf propagate (the trainer\'s non-finite guard relies on it)', () => {
      const x = tf.tensor2d([[1, 2], [NaN, 3], [4, Infinity]]);
      expect(Array.from(tf.sum(x, 0).dataSync())).toEqual([NaN, Infinity]);
      expect(Array.from(tf.mean(x, 0).dataSync())).toEqual([NaN, Infinity]);
      x.dispose();
    });
    test('does not leak', () => {
      expectNoLeak(() => [tf.sum(rand([4, 9, 9, 16], 1), [0, 1, 2], true), tf.mean(rand([4, 9, 9, 16], 1), [0, 1, 2])]);
    });
  });

  describe('GatherV2 (row copies on the wasm heap)', () => {
    const ids = (values: number[], shape?: number[]) => tf.tensor(values, shape ?? [values.length], 'int32');
    const cases: { name: string; run: () => tf.Tensor[] }[] = [
      { name: 'Partial FC rows: axis 0, d = 512, duplicates', run: () => [tf.gather(rand([40, 512], 1), ids([3, 39, 0, 3, 17]))] },
      { name: 'axis 1 of a rank-3 tensor', run: () => [tf.gather(rand([3, 6, 20], 2), ids([5, 0, 2]), 1)] },
      { name: 'last axis (blocks of one element)', run: () => [tf.gather(rand([4, 7], 3), ids([6, 1, 1]), -1)] },
      { name: 'rank-2 indices', run: () => [tf.gather(rand([9, 24], 4), ids([1, 8, 2, 2, 0, 7], [2, 3]))] },
      { name: 'int32 data', run: () => [tf.gather(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32'), ids([2, 0]))] },
      { name: 'bool data', run: () => [tf.gather(tf.tensor1d([true, false, true, true], 'bool'), ids([1, 3, 1]))] },
      { name: 'no indices', run: () => [tf.gather(rand([5, 3], 5), ids([]))] },
      { name: 'batchDims 1 (wasm kernel)', run: () => [tf.gather(rand([2, 5, 3], 6), ids([4, 0, 1, 1], [2, 2]), 1, 1)] },
      { name: 'gradient (UnsortedSegmentSum)', run: () => [tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.gather(w, ids([3, 1, 3])), rand([3, 64], 8))))(rand([5, 64], 7))] },
    ];
    for (const c of cases) {
      test(`matches cpu: ${c.name}`, async () => {
        expectClose(c.name, await onWasmAndCpu(c.run), EXACT);
      });
    }
    test('an index out of range is an error naming it', () => {
      const x = rand([4, 3], 1);
      const i = ids([1, 4]);
      expect(() => tf.gather(x, i)).toThrow(/index value 4 is not in \[0, 3\]/);
      tf.dispose([x, i]);
    });
    test('does not leak', () => {
      expectNoLeak(() => tf.gather(rand([40, 512], 1), ids([3, 39, 0, 3, 17])));
    });
  });

  describe('BatchMatMul (transposed and batch-folded products on XNNPACK)', () => {
    const cases: [string, number[], number[], boolean, boolean][] = [
      ['2-D plain', [5, 7], [7, 3], false, false],
      ['2-D transposeA', [7, 5], [7, 3], true, false],
      ['2-D transposeB', [5, 7], [3, 7], false, true],
      ['2-D both', [7, 5], [3, 7], true, true],
      ['2-D transposeB, wide output (computed as (B·Aᵀ)ᵀ)', [4, 8], [16, 8], false, true],
      ['2-D transposeA, wide left (computed as (Bᵀ·A)ᵀ)', [3, 40], [3, 2], true, false],
      ['3-D batch × matrix', [3, 4, 6], [6, 5], false, false],
      ['3-D batch × matrix, transposeA', [3, 6, 4], [6, 5], true, false],
      ['4-D batch × broadcast matrix, both', [2, 3, 6, 4], [1, 1, 5, 6], true, true],
      ['4-D batched attention q·kᵀ', [2, 3, 5, 4], [2, 3, 5, 4], false, true],
      ['4-D batched attention p·v', [2, 3, 5, 5], [2, 3, 5, 4], false, false],
      ['4-D batched transposeA', [2, 3, 4, 5], [2, 3, 4, 6], true, false],
    ];
    for (const [name, aShape, bShape, ta, tb] of cases) {
      test(`matches cpu: ${name}`, async () => {
        expectClose(name, await onWasmAndCpu(() => [tf.matMul(rand(aShape, 1), rand(bShape, 2), ta, tb)]), TOL_LONG_SUM);
      });
    }
    test('does not leak on either path', () => {
      expectNoLeak(() => tf.matMul(rand([4, 8], 1), rand([16, 8], 2), false, true));
      expectNoLeak(() => tf.matMul(rand([2, 3, 6, 4], 1), rand([1, 1, 5, 6], 2), true, true));
    });
    test('shape errors still come from tfjs', () => {
      expect(() => tf.matMul(rand([2, 3], 1), rand([4, 5], 2))).toThrow(/inner shapes/);
    });
  });

  describe('MaxPoolGrad (replaces the wasm kernel, which drops all-negative windows)', () => {
    const pools: { name: string; x: () => tf.Tensor; size: number; stride: number; pad: 'same' | 'valid' | number }[] = [
      { name: 'all-negative windows 2x2 s2', x: () => rand([2, 6, 6, 3], 5, -2, -0.1), size: 2, stride: 2, pad: 'valid' },
      { name: 'ties (first maximum wins, as on cpu) 3x3 s1 same', x: () => tf.round(rand([1, 6, 6, 2], 6, 0, 2)), size: 3, stride: 1, pad: 'same' },
      { name: 'overlapping 3x3 s2 same, odd size', x: () => rand([2, 7, 7, 3], 7), size: 3, stride: 2, pad: 'same' },
      { name: '3x3 s2 same, even size (padding only at the end)', x: () => rand([2, 8, 6, 4], 8, -1, 0), size: 3, stride: 2, pad: 'same' },
      { name: '3x3 s2 valid, unused last row', x: () => rand([1, 8, 9, 2], 9), size: 3, stride: 2, pad: 'valid' },
      { name: '2x2 s1 numeric pad 1', x: () => rand([2, 5, 5, 1], 10, -3, -1), size: 2, stride: 1, pad: 1 },
    ];
    for (const p of pools) {
      test(`gradient matches cpu: ${p.name}`, async () => {
        const run = () => {
          const x = p.x();
          const pooled = tf.maxPool(x as tf.Tensor4D, p.size, p.stride, p.pad);
          const dy = rand(pooled.shape, 8);
          return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, p.size, p.stride, p.pad), dy)))(x)];
        };
        expectClose(p.name, await onWasmAndCpu(run), TOL_ELEMENTWISE);
      });
    }
    test('maxPoolWithArgmax matches cpu on all-negative input', async () => {
      const run = () => {
        const { result, indexes } = tf.maxPoolWithArgmax(rand([2, 4, 4, 3], 9, -2, -0.1) as tf.Tensor4D, 2, 2, 'valid', true);
        return [result, indexes] as tf.Tensor[];
      };
      expectClose('maxPoolWithArgmax', await onWasmAndCpu(run), EXACT);
    });
    test('does not leak', () => {
      expectNoLeak(() => tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 3, 2, 'same')))(rand([2, 7, 7, 3], 7)));
    });
    test('maxPoolWithArgmax (cpu fallback) does not leak on either backend', () => {
      const cpu = tf.engine().findBackend('cpu')!;
      const cpuIds = cpu.numDataIds();
      expectNoLeak(() => {
        const { result, indexes } = tf.maxPoolWithArgmax(rand([2, 4, 4, 3], 9) as tf.Tensor4D, 2, 2, 'valid');
        return [result, indexes] as tf.Tensor[];
      });
      expect(cpu.numDataIds()).toBe(cpuIds);
    });
  });

  describe('Einsum (cpu fallback)', () => {
    test('matches cpu', async () => {
      expectClose('einsum', await onWasmAndCpu(() => [tf.einsum('bij,bjk->bik', rand([2, 3, 4], 1), rand([2, 4, 5], 2)), tf.einsum('ij->ji', rand([3, 4], 3))]), TOL_ELEMENTWISE);
    });
    test('does not leak on either backend', () => {
      const cpu = tf.engine().findBackend('cpu')!;
      const cpuIds = cpu.numDataIds();
      expectNoLeak(() => tf.einsum('ij,jk->ik', rand([3, 4], 1), rand([4, 2], 2)));
      expect(cpu.numDataIds()).toBe(cpuIds);
    });
  });
});

interface OpCase {
  readonly name: string;
  /** Shapes of random float inputs in [-1, 1), or makers of specific inputs. */
  readonly inputs: readonly (readonly number[] | (() => tf.Tensor))[];
  readonly fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  /** Compare gradients w.r.t. every input (default true; needs a single-tensor fn). */
  readonly grad?: boolean;
  readonly tol?: number;
}

const positive = (shape: number[], seed = 11) => () => rand(shape, seed, 0.2, 2);
const int = (values: number[], shape?: number[]) => () => tf.tensor(values, shape, 'int32');
const fixedMask = (shape: number[]) => tf.greater(rand(shape, 77), -0.4);

/** Everything a face backbone and its losses do in training, per the @fr op list. */
const OPS: readonly OpCase[] = [
  ...[1, 2].flatMap((s) =>
    (['same', 'valid', 1] as const).map((pad) => ({
      name: `conv2d stride ${s} pad ${pad}`,
      inputs: [[2, 9, 8, 3], [3, 3, 3, 4]],
      fn: (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad),
      tol: TOL_LONG_SUM,
    })),
  ),
  {
    name: 'fused conv2d + bias + relu',
    inputs: [[2, 8, 8, 3], [3, 3, 3, 4], [4]],
    fn: (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: b, activation: 'relu' }),
    tol: TOL_LONG_SUM,
  },
  ...[1, 2].flatMap((s) =>
    (['same', 'valid'] as const).map((pad) => ({
      name: `depthwiseConv2d stride ${s} pad ${pad}`,
      inputs: [[2, 9, 8, 4], [3, 3, 4, 1]],
      fn: (x: tf.Tensor, w: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad),
      tol: TOL_LONG_SUM,
    })),
  ),
  {
    name: 'batchNorm with moments (training mode)',
    inputs: [[4, 5, 5, 3], [3], [3]],
    fn: (x, offset, scale) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, offset, scale, 1e-3);
    },
    tol: TOL_LONG_SUM,
  },
  {
    name: 'layer norm from moments',
    inputs: [[3, 4, 8], [8], [8]],
    fn: (x, g, b) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
    },
    tol: TOL_LONG_SUM,
  },
  { name: 'prelu', inputs: [[2, 4, 4, 3], [3]], fn: (x, a) => tf.prelu(x, a) },
  { name: 'relu', inputs: [[3, 7]], fn: (x) => tf.relu(x) },
  { name: 'relu6', inputs: [[3, 7]], fn: (x) => tf.relu6(tf.mul(x, 8)) },
  { name: 'leakyRelu', inputs: [[3, 7]], fn: (x) => tf.leakyRelu(x, 0.1) },
  { name: 'sigmoid', inputs: [[3, 7]], fn: (x) => tf.sigmoid(tf.mul(x, 4)) },
  { name: 'tanh', inputs: [[3, 7]], fn: (x) => tf.tanh(tf.mul(x, 3)) },
  { name: 'elu', inputs: [[3, 7]], fn: (x) => tf.elu(tf.mul(x, 3)) },
  { name: 'softplus', inputs: [[3, 7]], fn: (x) => tf.softplus(tf.mul(x, 3)) },
  ...(
    [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const
  ).map(([ta, tb]) => ({
    name: `matMul 2-D transposeA=${ta} transposeB=${tb}`,
    inputs: [ta ? [6, 5] : [5, 6], tb ? [4, 6] : [6, 4]],
    fn: (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb),
    tol: TOL_LONG_SUM,
  })),
  ...(
    [
      [false, true],
      [true, false],
    ] as const
  ).map(([ta, tb]) => ({
    name: `matMul batched 4-D transposeA=${ta} transposeB=${tb}`,
    inputs: [ta ? [2, 3, 6, 5] : [2, 3, 5, 6], tb ? [2, 3, 4, 6] : [2, 3, 6, 4]],
    fn: (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb),
    tol: TOL_LONG_SUM,
  })),
  {
    name: 'fused matMul + bias + relu',
    inputs: [[5, 6], [6, 4], [4]],
    fn: (a, b, bias) => tf.fused.matMul({ a, b, bias, activation: 'relu' }),
    tol: TOL_LONG_SUM,
  },
  { name: 'softmax', inputs: [[4, 10]], fn: (x) => tf.softmax(tf.mul(x, 3)) },
  { name: 'logSoftmax', inputs: [[4, 10]], fn: (x) => tf.logSoftmax(tf.mul(x, 3)) },
  { name: 'logSumExp', inputs: [[4, 10]], fn: (x) => tf.logSumExp(tf.mul(x, 3), 1) },
  { name: 'acos', inputs: [[3, 7]], fn: (x) => tf.acos(tf.mul(x, 0.95)) },
  { name: 'cos', inputs: [[3, 7]], fn: (x) => tf.cos(tf.mul(x, 3)) },
  { name: 'sin', inputs: [[3, 7]], fn: (x) => tf.sin(tf.mul(x, 3)) },
  { name: 'sqrt', inputs: [positive([3, 7])], fn: (x) => tf.sqrt(x) },
  { name: 'rsqrt', inputs: [positive([3, 7])], fn: (x) => tf.rsqrt(x) },
  { name: 'clipByValue', inputs: [[3, 7]], fn: (x) => tf.clipByValue(x, -0.5, 0.4) },
  { name: 'maximum', inputs: [[3, 7], [3, 7]], fn: (a, b) => tf.maximum(a, b) },
  { name: 'minimum', inputs: [[3, 7], [3, 7]], fn: (a, b) => tf.minimum(a, b) },
  { name: 'where with a fixed mask', inputs: [[3, 7], [3, 7]], fn: (a, b) => tf.where(fixedMask([3, 7]), a, b) },
  { name: 'oneHot · x', inputs: [[4, 5]], fn: (x) => tf.mul(tf.oneHot(tf.tensor1d([0, 2, 4, 2], 'int32'), 5), x) },
  { name: 'gather axis 0 (repeated ids)', inputs: [[5, 4]], fn: (x) => tf.gather(x, tf.tensor1d([2, 0, 2, 4], 'int32'), 0) },
  { name: 'gather axis 1', inputs: [[3, 5, 2]], fn: (x) => tf.gather(x, tf.tensor1d([1, 1, 4], 'int32'), 1) },
  { name: 'slice', inputs: [[4, 6, 3]], fn: (x) => tf.slice(x, [1, 2, 0], [2, 3, 2]) },
  { name: 'concat', inputs: [[2, 3], [2, 4]], fn: (a, b) => tf.concat([a, b], 1) },
  { name: 'stack', inputs: [[2, 3], [2, 3]], fn: (a, b) => tf.stack([a, b], 1) },
  { name: 'pad', inputs: [[2, 3, 4]], fn: (x) => tf.pad(x, [[1, 0], [0, 2], [1, 1]]) },
  { name: 'tile', inputs: [[2, 3]], fn: (x) => tf.tile(x, [2, 3]) },
  { name: 'transpose', inputs: [[2, 3, 4]], fn: (x) => tf.transpose(x, [2, 0, 1]) },
  { name: 'reshape', inputs: [[2, 3, 4]], fn: (x) => tf.reshape(x, [6, 4]) },
  { name: 'sum over axes', inputs: [[3, 4, 5]], fn: (x) => tf.sum(x, [0, 2]) },
  { name: 'mean over axes', inputs: [[3, 4, 5]], fn: (x) => tf.mean(x, [1], true) },
  { name: 'max over an axis', inputs: [[3, 4, 5]], fn: (x) => tf.max(x, -1) },
  { name: 'l2-normalise rows', inputs: [[4, 6]], fn: (x) => tf.div(x, tf.sqrt(tf.sum(tf.square(x), 1, true))) },
  { name: 'avgPool 2x2 s2 valid', inputs: [[2, 6, 6, 3]], fn: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'avgPool 3x3 s1 same', inputs: [[2, 5, 5, 3]], fn: (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same') },
  { name: 'maxPool 2x2 s2 valid', inputs: [[2, 6, 6, 3]], fn: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'maxPool 3x3 s2 same', inputs: [[2, 7, 7, 3]], fn: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') },
  // Square only: cpu's ResizeBilinearGrad swaps height and width in its output shape (see the adjoint tests below).
  { name: 'resizeBilinear (square)', inputs: [[2, 5, 5, 3]], fn: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [8, 8]) },
  { name: 'resizeBilinear alignCorners (square)', inputs: [[2, 6, 6, 3]], fn: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [3, 3], true) },
  { name: 'resizeBilinear non-square (forward)', inputs: [[2, 5, 6, 3]], fn: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [7, 3], false, true), grad: false },
  { name: 'resizeNearestNeighbor (forward)', inputs: [[2, 5, 6, 3]], fn: (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 9]), grad: false },
  { name: 'image.flipLeftRight (forward)', inputs: [[2, 4, 5, 3]], fn: (x) => tf.image.flipLeftRight(x as tf.Tensor4D), grad: false },
  { name: 'topk (forward)', inputs: [[3, 10]], fn: (x) => { const { values: v, indices } = tf.topk(x, 4); return [v, indices]; }, grad: false, tol: EXACT },
  { name: 'argMax (forward)', inputs: [[3, 10]], fn: (x) => tf.argMax(x, 1), grad: false, tol: EXACT },
  { name: 'square', inputs: [[3, 7]], fn: (x) => tf.square(x) },
  { name: 'exp', inputs: [[3, 7]], fn: (x) => tf.exp(tf.mul(x, 3)) },
  { name: 'log', inputs: [positive([3, 7])], fn: (x) => tf.log(x) },
  { name: 'abs', inputs: [[3, 7]], fn: (x) => tf.abs(x) },
  { name: 'neg', inputs: [[3, 7]], fn: (x) => tf.neg(x) },
  { name: 'pow', inputs: [positive([3, 7]), [3, 7]], fn: (a, b) => tf.pow(a, tf.mul(b, 2)) },
  { name: 'div', inputs: [[3, 7], positive([3, 7], 12)], fn: (a, b) => tf.div(a, b) },
  { name: 'dropout-style mask multiply', inputs: [[4, 6]], fn: (x) => tf.div(tf.mul(x, tf.cast(fixedMask([4, 6]), 'float32')), 0.7) },
  { name: 'cumsum', inputs: [[3, 6]], fn: (x) => tf.cumsum(x, 1) },
  { name: 'cumsum exclusive reverse', inputs: [[3, 6]], fn: (x) => tf.cumsum(x, 1, true, true) },
  { name: 'mirrorPad reflect', inputs: [[3, 5]], fn: (x) => tf.mirrorPad(x, [[1, 2], [2, 1]], 'reflect') },
  { name: 'mirrorPad symmetric', inputs: [[3, 5]], fn: (x) => tf.mirrorPad(x, [[1, 2], [2, 1]], 'symmetric') },
  { name: 'unsortedSegmentSum', inputs: [[6, 3], int([0, 2, 2, 1, 0, 2])], fn: (x, ids) => tf.unsortedSegmentSum(x, ids as tf.Tensor1D, 3) },
];

function runOp(op: OpCase): tf.Tensor[] {
  const xs = op.inputs.map((input, i) => (typeof input === 'function' ? input() : rand(input, 100 + i)));
  const y = op.fn(...xs);
  if (op.grad === false) return Array.isArray(y) ? y : [y];
  if (Array.isArray(y)) throw new Error(`${op.name}: a gradient case must return one tensor`);
  const floats = xs.map((x, i) => [x, i] as const).filter(([x]) => x.dtype === 'float32');
  const dy = rand(y.shape, 999);
  const grads = tf.grads((...args: tf.Tensor[]) => {
    const all = [...xs];
    floats.forEach(([, i], k) => (all[i] = args[k]!));
    return op.fn(...all) as tf.Tensor;
  })(
    floats.map(([x]) => x),
    dy,
  );
  return [y, ...grads];
}

describe('training ops on wasm match cpu (value and gradients w.r.t. every float input)', () => {
  for (const op of OPS) {
    test(op.name, async () => {
      expectClose(op.name, await onWasmAndCpu(() => runOp(op)), op.tol ?? TOL_ELEMENTWISE);
    });
  }
});

/**
 * Resizing is linear, so its gradient g = Jᵀ·dy must satisfy ⟨resize(x), dy⟩ = ⟨x, g⟩. That checks
 * wasm on its own where cpu cannot serve as the reference: cpu's ResizeBilinearGrad returns a
 * [N,W,H,C] shape for non-square images and its ResizeNearestNeighborGrad is wrong.
 */
describe('resize gradients on wasm are the adjoint of the forward resize', () => {
  const cases: { name: string; shape: number[]; size: [number, number]; alignCorners: boolean; nearest: boolean }[] = [];
  for (const nearest of [false, true]) {
    for (const [shape, size] of [
      [[2, 5, 6, 3], [8, 9]],
      [[1, 7, 4, 2], [3, 5]],
      [[2, 6, 6, 2], [3, 3]],
    ] as [number[], [number, number]][]) {
      for (const alignCorners of [false, true]) cases.push({ name: `${nearest ? 'nearest' : 'bilinear'} [${shape}] → ${size} alignCorners=${alignCorners}`, shape, size, alignCorners, nearest });
    }
  }
  for (const c of cases) {
    test(c.name, () => {
      const [lhs, rhs] = tf.tidy(() => {
        const resize = (a: tf.Tensor) =>
          c.nearest ? tf.image.resizeNearestNeighbor(a as tf.Tensor4D, c.size, c.alignCorners) : tf.image.resizeBilinear(a as tf.Tensor4D, c.size, c.alignCorners);
        const x = rand(c.shape, 1);
        const y = resize(x);
        const dy = rand(y.shape, 2);
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(resize(a), dy)))(x);
        expect(g.shape).toEqual(x.shape);
        return [tf.sum(tf.mul(y, dy)).dataSync()[0]!, tf.sum(tf.mul(x, g)).dataSync()[0]!];
      });
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(TOL_ELEMENTWISE * Math.max(1, Math.abs(lhs)));
    });
  }
});

describe('Identity on wasm shares the buffer', () => {
  test('a clone survives disposing its source, and the wasm heap does not grow per clone', async () => {
    await selectBackend('wasm', { log: null });
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
    const big = tf.zeros([1 << 20]);
    const before = tf.memory().numBytes;
    const copies = Array.from({ length: 8 }, () => tf.clone(big));
    expect(tf.memory().numBytes - before).toBe(8 * (1 << 22)); // tfjs counts per tensor...
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const more = Array.from({ length: 64 }, () => tf.clone(big)); // ...the heap would need 256 MiB more if copied
    expect((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length).toBe(heap);
    tf.dispose([big, ...copies, ...more]);
  });
});
