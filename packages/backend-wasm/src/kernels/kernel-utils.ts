/**
 * Building blocks for kernels composed from tfjs-backend-wasm's own kernels.
 *
 * Every helper calls a wasm kernel function directly (tfjs-kernel-registry style) and returns a raw
 * `TensorInfo` owned by the backend: nothing here goes through the engine, so nothing is recorded on
 * a gradient tape and every intermediate must be handed back with `backend.disposeData`. {@link Scratch}
 * does that bookkeeping.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '@fr/core';

export type WasmBackend = BackendWasm;
export type TensorInfo = tf.TensorInfo;
/** A pair per spatial axis: rows to add (positive) or remove (negative) before, after. */
export type PadOrCrop = readonly [readonly [number, number], readonly [number, number]];

/**
 * Kernels captured before @fr replaced them, so a replacement can still call the original (and a
 * second registration does not capture the replacement itself).
 */
const originals = new Map<string, tf.KernelConfig>();
/** Backends on which a captured kernel's setup (its `cwrap` of the C function) has run. */
const setUp = new Map<string, WeakSet<object>>();

/** Remembers the kernel tfjs-backend-wasm registered for `kernelName`, once. */
export function captureOriginal(kernelName: string): void {
  if (originals.has(kernelName)) return;
  const config = tf.getKernel(kernelName, 'wasm');
  if (config != null) originals.set(kernelName, config);
}

/**
 * The kernel function tfjs-backend-wasm itself registered for `kernelName` (before @fr replaced
 * it), ready to call on `backend`. The engine only sets up registered kernels, so a replaced one's
 * setup runs here, once per backend instance.
 */
export function originalKernel(kernelName: string, backend: WasmBackend): tf.KernelFunc {
  const captured = originals.get(kernelName);
  if (captured == null) {
    const fn = tf.getKernel(kernelName, 'wasm')?.kernelFunc;
    if (fn == null) throw new Error(`@fr wasm kernels: tfjs-backend-wasm has no '${kernelName}' kernel to build on`);
    return fn;
  }
  let done = setUp.get(kernelName);
  if (done == null) setUp.set(kernelName, (done = new WeakSet()));
  if (!done.has(backend)) {
    captured.setupFunc?.(backend);
    done.add(backend);
  }
  return captured.kernelFunc;
}

/** Runs one of the wasm backend's kernels (the original one where @fr replaced it) on raw tensor infos. */
export function runKernel(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: object, backend: WasmBackend): TensorInfo {
  const out = originalKernel(kernelName, backend)({ inputs, attrs: attrs as tf.NamedAttrMap, backend });
  if (Array.isArray(out)) throw new Error(`@fr wasm kernels: '${kernelName}' returned ${out.length} outputs, expected one`);
  return out;
}

/**
 * Tracks the intermediates of one composed kernel call and frees them together: `track` what is
 * scratch, return the result untracked. Reshapes share data (the wasm Reshape kernel raises the
 * reference count), so freeing a tracked tensor never frees a result that aliases it.
 */
export class Scratch {
  private readonly infos: TensorInfo[] = [];

  constructor(readonly backend: WasmBackend) {}

  track(info: TensorInfo): TensorInfo {
    this.infos.push(info);
    return info;
  }

  /** Stops tracking `info` (the kernel's result) so that {@link dispose} leaves it alone. */
  keep(info: TensorInfo): TensorInfo {
    const at = this.infos.lastIndexOf(info);
    if (at >= 0) this.infos.splice(at, 1);
    return info;
  }

  dispose(): void {
    for (const info of this.infos.splice(0)) this.backend.disposeData(info.dataId);
  }
}

/** Runs `body` with a {@link Scratch} that is emptied afterwards, also when `body` throws. */
export function withScratch<T>(backend: WasmBackend, body: (s: Scratch) => T): T {
  const scratch = new Scratch(backend);
  try {
    return body(scratch);
  } finally {
    scratch.dispose();
  }
}

export function reshape(s: Scratch, x: TensorInfo, shape: readonly number[]): TensorInfo {
  return s.track(runKernel(tf.Reshape, { x }, { shape: [...shape] }, s.backend));
}

export function transpose(s: Scratch, x: TensorInfo, perm: readonly number[]): TensorInfo {
  return s.track(runKernel(tf.Transpose, { x }, { perm: [...perm] }, s.backend));
}

export function reverse(s: Scratch, x: TensorInfo, dims: readonly number[]): TensorInfo {
  return s.track(runKernel(tf.Reverse, { x }, { dims: [...dims] }, s.backend));
}

export function slice(s: Scratch, x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo {
  // The wasm Slice kernel copies in JS from a full read of x; skip it when nothing is cut.
  if (begin.every((b) => b === 0) && size.every((n, i) => n === x.shape[i])) return x;
  return s.track(runKernel(tf.Slice, { x }, { begin: [...begin], size: [...size] }, s.backend));
}

export function sum(s: Scratch, x: TensorInfo, axis: readonly number[]): TensorInfo {
  return s.track(runKernel(tf.Sum, { x }, { axis: [...axis], keepDims: false }, s.backend));
}

export function pad(s: Scratch, x: TensorInfo, paddings: readonly (readonly [number, number])[]): TensorInfo {
  if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
  return s.track(runKernel(tf.PadV2, { x }, { paddings: paddings.map((p) => [...p]), constantValue: 0 }, s.backend));
}

/**
 * Inserts `stride - 1` zeros after every row / column of an NHWC tensor (trailing zeros included):
 * [N,H,W,C] → [N, H·sh, W·sw, C]. A transposed convolution becomes a stride-1 convolution of this.
 * Done as one pad of a rank-6 view, so it costs a single pass over the output.
 */
export function zeroDilate(s: Scratch, x: TensorInfo, strideHeight: number, strideWidth: number): TensorInfo {
  if (strideHeight === 1 && strideWidth === 1) return x;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const view = reshape(s, x, [n, h, 1, w, 1, c]);
  const padded = pad(s, view, [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]]);
  return reshape(s, padded, [n, h * strideHeight, w * strideWidth, c]);
}

/**
 * Applies per-side spatial amounts to an NHWC tensor: negative amounts are cut off with a slice,
 * positive ones are returned as the explicit padding for the convolution that follows (XNNPACK pads
 * implicitly, which is cheaper than materialising the padded tensor).
 */
export function cropForConv(s: Scratch, x: TensorInfo, amounts: PadOrCrop): { x: TensorInfo; pad: number[][] } {
  const [[top, bottom], [left, right]] = amounts;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  const keepH = h - cropTop - Math.max(0, -bottom);
  const keepW = w - cropLeft - Math.max(0, -right);
  if (keepH <= 0 || keepW <= 0) throw new Error(`@fr wasm kernels: nothing left of [${x.shape}] after cropping ${JSON.stringify(amounts)}`);
  const cropped = slice(s, x, [0, cropTop, cropLeft, 0], [n, keepH, keepW, c]);
  const padding = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
  return { x: cropped, pad: padding };
}

/**
 * `dy` laid out for the input gradient of a strided convolution as one stride-1 "full"
 * convolution: zero-dilated by the stride, then given kh−1−top rows before it and enough after it
 * for H outputs (negative amounts — explicit padding wider than the kernel, trailing rows the
 * forward never read — crop instead). Convolve the result with the flipped filter.
 */
export function dilateForInputGradient(s: Scratch, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): { x: TensorInfo; pad: number[][] } {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const dilated = zeroDilate(s, dy, strideHeight, strideWidth); // [N, Ho·sh, Wo·sw, C]
  return cropForConv(s, dilated, [
    [filterHeight - 1 - padInfo.top, inHeight + padInfo.top - outHeight * strideHeight],
    [filterWidth - 1 - padInfo.left, inWidth + padInfo.left - outWidth * strideWidth],
  ]);
}

export interface ConvOptions {
  /** Explicit NHWC padding, `[[0,0],[top,bottom],[left,right],[0,0]]`. */
  readonly pad: number[][];
  readonly strides?: readonly [number, number];
  readonly dilations?: readonly [number, number];
}

/** The attributes both XNNPACK convolutions take (NHWC, explicit padding). */
function convAttrs(options: ConvOptions): object {
  return {
    strides: [...(options.strides ?? [1, 1])],
    dilations: [...(options.dilations ?? [1, 1])],
    pad: options.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
  };
}

/** wasm (XNNPACK) Conv2D, NHWC, explicit padding. */
export function conv2d(s: Scratch, x: TensorInfo, filter: TensorInfo, options: ConvOptions): TensorInfo {
  return s.track(runKernel(tf.Conv2D, { x, filter }, convAttrs(options), s.backend));
}

/** wasm (XNNPACK) depthwise Conv2D, NHWC, explicit padding; filter `[kh, kw, C, multiplier]`. */
export function depthwiseConv2d(s: Scratch, x: TensorInfo, filter: TensorInfo, options: ConvOptions): TensorInfo {
  return s.track(runKernel(tf.DepthwiseConv2dNative, { x, filter }, convAttrs(options), s.backend));
}

/** Throws unless the layout is NHWC (the only one the wasm convolutions implement). */
export function assertChannelsLast(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`@fr wasm ${kernelName}: only dataFormat 'NHWC' is supported on the wasm backend, got '${dataFormat}'`);
  }
}

/** Throws unless every dilation is 1 (tfjs' conv gradients never pass anything else). */
export function assertNoDilation(kernelName: string, dilations: number | readonly number[] | undefined): void {
  const values = dilations == null ? [] : typeof dilations === 'number' ? [dilations] : dilations;
  if (values.some((d) => d !== 1)) {
    throw new Error(`@fr wasm ${kernelName}: dilations other than 1 are not supported, got ${JSON.stringify(dilations)}`);
  }
}

/** Registers a kernel function for the wasm backend, replacing (not warning about) an earlier one. */
export function registerWasmKernel(kernelName: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(kernelName, 'wasm') != null) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
}
