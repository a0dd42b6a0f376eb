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
import { transposeSimd } from './simd/transpose.js';

export type WasmBackend = BackendWasm;
export type TensorInfo = tf.TensorInfo;

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
  return s.track(transposeSimd(s.backend, x, perm) ?? runKernel(tf.Transpose, { x }, { perm: [...perm] }, s.backend));
}

export function slice(s: Scratch, x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo {
  // Skip the copy when nothing is cut.
  if (begin.every((b) => b === 0) && size.every((n, i) => n === x.shape[i])) return x;
  const kernel = tf.getKernel(tf.Slice, 'wasm')!.kernelFunc; // @fr's (slice.ts): rows from a heap view
  return s.track(kernel({ inputs: { x }, attrs: { begin: [...begin], size: [...size] }, backend: s.backend }) as TensorInfo);
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

/**
 * Throws unless both named inputs are float32 (the SIMD gradient kernels read the heap as floats).
 * The message names the kernel and both inputs, e.g. "x and dy must be float32, got int32 and float32".
 */
export function assertFloat32(kernelName: string, inputs: Readonly<Record<string, TensorInfo>>): void {
  const entries = Object.entries(inputs);
  if (entries.some(([, t]) => t.dtype !== 'float32')) {
    const names = entries.map(([n]) => n).join(' and ');
    const dtypes = entries.map(([, t]) => t.dtype).join(' and ');
    throw new Error(`@fr wasm ${kernelName}: ${names} must be float32, got ${dtypes}`);
  }
}

/**
 * Registers a kernel function for the wasm backend, replacing (not warning about) an earlier one.
 * A replaced kernel's setup still runs when the backend initialises: tfjs' other kernels call
 * some of them internally (Sum and Mean transpose through Transpose's `cwrap`).
 */
export function registerWasmKernel(kernelName: string, kernelFunc: tf.KernelFunc): void {
  const previous = tf.getKernel(kernelName, 'wasm');
  if (previous != null) tf.unregisterKernel(kernelName, 'wasm');
  const setupFunc = originals.get(kernelName)?.setupFunc ?? previous?.setupFunc;
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(setupFunc ? { setupFunc } : {}) });
}
