import { tf } from '@fr/core';
import { stock, type CpuBackendLike, type KernelArgs } from './cpu-kernel-utils.js';

/** Depthwise filter gradient for the cpu backend, same approach as `conv2d-backprop-filter.ts`. */
export function depthwiseConv2dNativeBackpropFilter(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { inputs, attrs } = args;
  const backend = args.backend as unknown as CpuBackendLike;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number; dilations: [number, number] | number; pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
  };
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || x.dtype !== 'float32' || dy.dtype !== 'float32') {
    return stock('DepthwiseConv2dNativeBackpropFilter', args);
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const chMul = outChannels / inChannels;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = backend.data.get(x.dataId).values;
  const dyv = backend.data.get(dy.dataId).values;
  // Filter [kh, kw, C, chMul] flattened = (wR·kw + wC)·outChannels + d1·chMul + dm = … + d2.
  const acc = new Float64Array(filterHeight * filterWidth * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOff = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight + wR - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOff = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wOff = (wR * filterWidth + wC) * outChannels;
            for (let d2 = 0; d2 < outChannels; d2++) {
              acc[wOff + d2] = (acc[wOff + d2] as number) + (xv[xOff + Math.trunc(d2 / chMul)] as number) * (dyv[dyOff + d2] as number);
            }
          }
        }
      }
    }
  }
  return backend.makeTensorInfo(filterShape, 'float32', Float32Array.from(acc));
}
