/**
 * Conv2DBackpropInput for the wasm backend, on XNNPACK's Conv2D.
 *
 * tfjs-backend-wasm ships a Conv2DBackpropInput, but it is a plain scalar loop. The input gradient
 * of a convolution is a stride-1 convolution of the zero-dilated output gradient with the
 * spatially flipped filter whose in/out channel axes are swapped:
 *
 * dx[n,h,w,ci] = Σ_{i,j,co} D[n, h+top-i, w+left-j, co] · W[i,j,ci,co],   D = dy dilated by the stride
 *
 * which XNNPACK runs several times faster than the loop even though, for stride 2, three quarters
 * of D are zeros (see README.md for the measurements).
 */
import { tf } from '@fr/core';
import {
  assertChannelsLast,
  conv2d,
  dilateForInputGradient,
  reverse,
  transpose,
  withScratch,
  type TensorInfo,
  type WasmBackend,
} from './kernel-utils.js';

/** Kernel function for `Conv2DBackpropInput` on wasm (NHWC, any stride and padding). */
export function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  assertChannelsLast(tf.Conv2DBackpropInput, dataFormat);
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
  return withScratch(backend, (s) => {
    const cropped = dilateForInputGradient(s, dy, info);
    const flipped = transpose(s, reverse(s, filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
    return s.keep(conv2d(s, cropped.x, flipped, { pad: cropped.pad }));
  });
}
