/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm has none, so no conv layer trains).
 *
 * dW[i,j,ci,co] = Σ_{n,ho,wo} xpad[n, ho·sh+i, wo·sw+j, ci] · dy[n,ho,wo,co]
 *
 * is itself a convolution: take the input with batch and channel axes swapped ([Ci,H,W,N]: Ci
 * "images" of N channels), use the output gradient as the filter ([Ho,Wo,N,Co]) dilated by the
 * forward stride, and the result is [Ci,kh,kw,Co]. That runs on XNNPACK's Conv2D, the fastest
 * kernel the wasm build has; two transposes put the axes in place.
 */
import { tf } from '@fr/core';
import { assertChannelsLast, conv2d, cropForConv, transpose, withScratch, type TensorInfo, type WasmBackend } from './kernel-utils.js';

/** Kernel function for `Conv2DBackpropFilter` on wasm (NHWC, dilations 1, any stride and padding). */
export function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  assertChannelsLast(tf.Conv2DBackpropFilter, dataFormat);
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
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return withScratch(backend, (s) => {
    const xT = transpose(s, x, [3, 1, 2, 0]); // [Ci, H, W, N]
    const dyF = transpose(s, dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
    // The dilated dy spans (Ho-1)·s+1 rows; padding the input so that exactly kh outputs remain.
    // A negative amount means trailing input rows the forward conv never read: crop them.
    const bottom = (outHeight - 1) * strideHeight + filterHeight - inHeight - padInfo.top;
    const right = (outWidth - 1) * strideWidth + filterWidth - inWidth - padInfo.left;
    const cropped = cropForConv(s, xT, [
      [padInfo.top, bottom],
      [padInfo.left, right],
    ]);
    const dW = conv2d(s, cropped.x, dyF, { pad: cropped.pad, dilations: [strideHeight, strideWidth] }); // [Ci, kh, kw, Co]
    return s.keep(transpose(s, dW, [1, 2, 0, 3])); // [kh, kw, Ci, Co]
  });
}
