/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm has none, so no conv layer trains):
 *
 *   dW[i,j,ci,co] = Σ_{n,ho,wo} xpad[n, ho·sh+i, wo·sw+j, ci] · dy[n,ho,wo,co]
 *
 * computed directly by @fr's SIMD kernel (`packages/backend-wasm/simd/src/conv-filter-grad.c`), straight
 * from NHWC x and dy. It replaced two compositions on one thread (measured on IResNet-18 w¼ and
 * MobileFaceNet layer shapes): an XNNPACK convolution of the transposed input with dy as a
 * dy-sized filter (3×3: 1.3–2.2× the forward's time, plus three transposes; the kernel: 0.7–1.0×)
 * and, for 1×1 layers, one matrix product (the kernel: 0.7–1.0× of it). The batch is split over
 * the kernel threads, each summing its images into its own filter, added up at the end.
 */
import { tf } from '@fr/core';
import { assertChannelsLast, assertFloat32, type TensorInfo, type WasmBackend } from './kernel-utils.js';
import { batchSlices } from './simd/batch-slices.js';

/** Kernel function for `Conv2DBackpropFilter` on wasm (NHWC, dilations 1, any stride and padding). */
export function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  assertChannelsLast(tf.Conv2DBackpropFilter, dataFormat);
  assertFloat32(tf.Conv2DBackpropFilter, { x, dy });
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return batchSlices(backend, x, dy, batchSize, [filterHeight, filterWidth, inChannels, outChannels], (slice) => ({
    fn: 'fr_conv2d_filter_grad',
    args: [
      slice.x, slice.dy, slice.images, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
      filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left, slice.out, slice.acc32, slice.acc64,
    ],
  }));
}
