/**
 * DepthwiseConv2dNativeBackpropInput / ...BackpropFilter for the wasm backend (MobileFaceNet-style
 * backbones need both; tfjs-backend-wasm has neither). Channel multiplier 1 only, dilations 1.
 *
 * - Input gradient: a stride-1 depthwise convolution of the zero-dilated output gradient with the
 *   spatially flipped filter (each channel is its own 2-D convolution, so nothing is swapped).
 * - Filter gradient: the per-channel version of the Conv2DBackpropFilter trick. Laying batch and
 *   channel side by side ([1,H,W,N·C]) makes every (image, channel) pair its own depthwise channel;
 *   the output gradient laid out as a depthwise filter [Ho,Wo,N·C,1], dilated by the stride, gives
 *   [1,kh,kw,N·C], and a sum over N gives [kh,kw,C].
 */
import { tf } from '@fr/core';
import {
  assertNoDilation,
  cropForConv,
  dilateForInputGradient,
  depthwiseConv2d,
  reshape,
  reverse,
  runKernel,
  sum,
  transpose,
  withScratch,
  type TensorInfo,
  type WasmBackend,
} from './kernel-utils.js';

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
  return withScratch(backend, (s) => {
    const cropped = dilateForInputGradient(s, dy, info);
    const flipped = reverse(s, filter, [0, 1]);
    return s.keep(depthwiseConv2d(s, cropped.x, flipped, { pad: cropped.pad }));
  });
}

/** Kernel function for `DepthwiseConv2dNativeBackpropFilter` on wasm. */
export function depthwiseConv2dNativeBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  assertNoDilation(tf.DepthwiseConv2dNativeBackpropFilter, dilations);
  assertMultiplierOne(tf.DepthwiseConv2dNativeBackpropFilter, filterShape);
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
  const lanes = batchSize * inChannels;
  return withScratch(backend, (s) => {
    const xT = reshape(s, transpose(s, x, [1, 2, 0, 3]), [1, inHeight, inWidth, lanes]);
    const dyF = reshape(s, transpose(s, dy, [1, 2, 0, 3]), [outHeight, outWidth, lanes, 1]);
    const cropped = cropForConv(s, xT, [
      [padInfo.top, (outHeight - 1) * strideHeight + filterHeight - inHeight - padInfo.top],
      [padInfo.left, (outWidth - 1) * strideWidth + filterWidth - inWidth - padInfo.left],
    ]);
    const perLane = depthwiseConv2d(s, cropped.x, dyF, { pad: cropped.pad, dilations: [strideHeight, strideWidth] }); // [1, kh, kw, N·C]
    const summed = sum(s, reshape(s, perLane, [filterHeight, filterWidth, batchSize, inChannels]), [2]);
    return runKernel(tf.Reshape, { x: summed }, { shape: [filterHeight, filterWidth, inChannels, 1] }, backend);
  });
}
