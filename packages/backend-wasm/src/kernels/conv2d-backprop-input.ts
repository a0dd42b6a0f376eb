/**
 * Conv2DBackpropInput for the wasm backend, on @fr's SIMD kernel
 * (`packages/backend-wasm/simd/src/conv-input-grad.c`):
 *
 *   dx[n, oy·sh + i − pt, ox·sw + j − pl, ci] += Σ_co dy[n,oy,ox,co] · W[i,j,ci,co]
 *
 * straight from dy and the filter with its channel axes swapped, split over the kernel threads by
 * image. tfjs-backend-wasm's own kernel is a scalar loop (3–30× slower than this); the XNNPACK
 * composition used before (a stride-1 convolution of the zero-dilated dy with the flipped
 * filter) did four times the multiplies at stride 2 and measured 1.3–3.5× slower than this kernel
 * on IResNet-18 w¼ layer shapes (one thread).
 */
import { tf } from '@fr/core';
import { assertChannelsLast, assertFloat32, type TensorInfo, type WasmBackend } from './kernel-utils.js';
import { runByImage } from './simd/batch-slices.js';
import { pointerOf } from './simd/module.js';
import { transposeSimd } from './simd/transpose.js';

/** Kernel function for `Conv2DBackpropInput` on wasm (NHWC, any stride and padding). */
export function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  assertChannelsLast(tf.Conv2DBackpropInput, dataFormat);
  assertFloat32(tf.Conv2DBackpropInput, { dy, filter });
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const dx = backend.makeOutput([...inputShape], 'float32');
  if (tf.util.sizeFromShape([...inputShape]) === 0) return dx;
  const swapped = transposeSimd(backend, filter, [0, 1, 3, 2])!; // [kh, kw, Co, Ci]
  try {
    const dyImage = 4 * outHeight * outWidth * outChannels;
    const dxImage = 4 * inHeight * inWidth * inChannels;
    runByImage(backend, batchSize, (b0, b1) => ({
      fn: 'fr_conv2d_input_grad',
      args: [
        pointerOf(backend, dy) + b0 * dyImage, pointerOf(backend, swapped), b1 - b0, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
        filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left, pointerOf(backend, dx) + b0 * dxImage,
      ],
    }));
  } finally {
    backend.disposeData(swapped.dataId);
  }
  return dx;
}
