/**
 * MaxPoolGrad for the wasm backend, replacing tfjs-backend-wasm's, which is wrong: it starts each
 * window's running maximum at `std::numeric_limits<float>::min()` — the smallest *positive* float —
 * so a window whose values are all ≤ 0 routes its gradient nowhere, and ties go to the last maximum.
 *
 * No wasm kernel finds window argmaxes correctly (MaxPoolWithArgmax has the same bug), and the cpu
 * fallback took 20 s on a [32,112,112,64] ResNet stem. So this one loop runs in JS directly on the
 * wasm heap (as tfjs-backend-wasm's own Slice kernel does): the first maximum of each window in scan
 * order wins and padding never does, exactly as on the cpu backend, in a fraction of the time of
 * either (see README.md).
 */
import { tf } from '@fr/core';
import type { TensorInfo, WasmBackend } from './kernel-utils.js';

/** Kernel function for `MaxPoolGrad` on wasm (float32, NHWC, dilations 1). */
export function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`@fr wasm MaxPoolGrad: float32 only, got ${input.dtype}/${dy.dtype}`);
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  const out = backend.makeOutput([...input.shape], 'float32');
  // Views only after the allocation above: growing the wasm heap detaches earlier views.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  dx.fill(0); // malloc'd memory is not zeroed
  const best = new Float32Array(inChannels);
  const argmax = new Int32Array(inChannels);
  let dyOffset = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padInfo.top;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padInfo.left;
        best.fill(Number.NEGATIVE_INFINITY);
        argmax.fill(-1);
        for (let ky = 0; ky < filterHeight; ky++) {
          const iy = y0 + ky;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kx = 0; kx < filterWidth; kx++) {
            const ix = x0 + kx;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            for (let c = 0; c < inChannels; c++) {
              const v = x[base + c]!;
              // Strictly greater: the first maximum in scan order keeps the gradient (cpu semantics).
              if (v > best[c]!) {
                best[c] = v;
                argmax[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < inChannels; c++) {
          const at = argmax[c]!;
          if (at >= 0) dx[at] = dx[at]! + g[dyOffset + c]!;
        }
        dyOffset += inChannels;
      }
    }
  }
  return out;
}
