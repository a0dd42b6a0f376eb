/**
 * DepthwiseConv2dNativeBackpropInput / ...BackpropFilter for the wasm backend (MobileFaceNet-style
 * backbones need both; tfjs-backend-wasm has neither). Channel multiplier 1 only, dilations 1.
 * Both are @fr's SIMD kernels (`packages/backend-wasm/simd/src/depthwise-grads.c`), direct loops
 * vectorised over channels, split over the kernel threads by image:
 * - Input gradient: replaced a stride-1 XNNPACK depthwise convolution of the zero-dilated dy with
 *   the flipped filter (four times the multiplies at stride 2).
 * - Filter gradient: replaced a composition (batch and channel side by side as [1,H,W,N·C], dy as
 *   a [Ho,Wo,N·C,1] depthwise filter) that XNNPACK ran 5–9× slower than the forward: its
 *   depthwise kernel is made for small filters, not dy-sized ones.
 */
import { tf } from '@fr/core';
import { assertFloat32, assertNoDilation, type TensorInfo, type WasmBackend } from './kernel-utils.js';
import { batchSlices, runByImage } from './simd/batch-slices.js';
import { pointerOf } from './simd/module.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

function assertMultiplierOne(kernelName: string, filterShape: readonly number[]): void {
  if (filterShape[3] !== 1) {
    throw new Error(
      `@fr wasm ${kernelName}: only channel multiplier 1 is supported on the wasm backend, got filter shape [${filterShape.join(',')}]`,
    );
  }
}

/** Kernel function for `DepthwiseConv2dNativeBackpropInput` on wasm. */
export function depthwiseConv2dNativeBackpropInput(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  assertNoDilation(tf.DepthwiseConv2dNativeBackpropInput, dilations);
  assertMultiplierOne(tf.DepthwiseConv2dNativeBackpropInput, filter.shape);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    true,
  );
  assertFloat32(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter });
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const dx = backend.makeOutput([...inputShape], 'float32');
  if (tf.util.sizeFromShape([...inputShape]) === 0) return dx;
  const dyImage = 4 * outHeight * outWidth * inChannels;
  const dxImage = 4 * inHeight * inWidth * inChannels;
  runByImage(backend, batchSize, (b0, b1) => ({
    fn: 'fr_depthwise_input_grad',
    args: [
      pointerOf(backend, dy) + b0 * dyImage, pointerOf(backend, filter), b1 - b0, inHeight, inWidth, inChannels, outHeight, outWidth,
      filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left, pointerOf(backend, dx) + b0 * dxImage,
    ],
  }));
  return dx;
}

/** Kernel function for `DepthwiseConv2dNativeBackpropFilter` on wasm (@fr's SIMD kernel). */
export function depthwiseConv2dNativeBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  assertNoDilation(tf.DepthwiseConv2dNativeBackpropFilter, dilations);
  assertMultiplierOne(tf.DepthwiseConv2dNativeBackpropFilter, filterShape);
  assertFloat32(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy });
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return batchSlices(backend, x, dy, batchSize, [filterHeight, filterWidth, inChannels, 1], (slice) => ({
    fn: 'fr_depthwise_filter_grad',
    args: [
      slice.x, slice.dy, slice.images, inHeight, inWidth, inChannels, outHeight, outWidth,
      filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left, slice.out, slice.acc32, slice.acc64,
    ],
  }));
}
