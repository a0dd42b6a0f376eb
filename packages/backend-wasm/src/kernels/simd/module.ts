/**
 * @fr's own wasm SIMD kernels (C in `packages/backend-wasm/simd/src`, built by `npm run build:kernels`):
 * a second WebAssembly module that imports tfjs-backend-wasm's memory, so its functions read and
 * write tensors where tfjs keeps them — no copies. The module owns no memory (the build checks
 * it); scratch space is taken from tfjs' own `malloc`.
 *
 * A module must import memory with the `shared` flag it was created with, hence two builds: one
 * for tfjs' single-threaded SIMD build, one for its threaded build (a SharedArrayBuffer heap).
 * Our kernels run on the calling thread.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { isNode, tf } from '@fr/core';
import { SIMD_PLAIN_BASE64, SIMD_SHARED_BASE64 } from './binaries.js';
import { SimdPool } from './pool.js';

/** Pointers are byte offsets into tfjs' heap; 0 stands for an absent optional input. */
type Ptr = number;

/** The C functions (see the .c files for what each computes). */
export interface SimdExports {
  fr_bn_stats(x: Ptr, rows: number, c: number, mean: Ptr, variance: Ptr, acc32: Ptr, acc64: Ptr): void;
  fr_bn_act_forward(x: Ptr, rows: number, c: number, mean: Ptr, inv: Ptr, gamma: Ptr, beta: Ptr, alpha: Ptr, residual: Ptr, out: Ptr, st: Ptr): void;
  fr_bn_act_backward_sums(x: Ptr, dz: Ptr, rows: number, c: number, mean: Ptr, inv: Ptr, gamma: Ptr, beta: Ptr, alpha: Ptr, sums64: Ptr, scratch32: Ptr): void;
  fr_bn_act_backward_dx(x: Ptr, dz: Ptr, rows: number, c: number, mean: Ptr, inv: Ptr, gamma: Ptr, beta: Ptr, alpha: Ptr, bk: Ptr, dx: Ptr, scratch32: Ptr): void;
  fr_accumulate(dst: Ptr, src: Ptr, n: number): void;
  fr_l2_normalize(x: Ptr, rows: number, d: number, eps: number, y: Ptr, norm: Ptr): void;
  fr_l2_normalize_grad(x: Ptr, dy: Ptr, rows: number, d: number, eps: number, norm: Ptr, dx: Ptr): void;
  fr_softmax_row_stats(z: Ptr, rows: number, cols: number, max: Ptr, sum: Ptr): void;
  fr_softmax_cross_entropy_grad(z: Ptr, targets: Ptr, max: Ptr, logSum: Ptr, dy: Ptr, rows: number, cols: number, dz: Ptr): void;
  fr_take_targets(c: Ptr, targets: Ptr, rows: number, cols: number, v: Ptr): void;
  fr_take_targets_grad(dv: Ptr, targets: Ptr, rows: number, cols: number, dc: Ptr): void;
  fr_replace_targets(c: Ptr, targets: Ptr, v: Ptr, rows: number, cols: number, s: number, z: Ptr): void;
  fr_replace_targets_grad(dz: Ptr, targets: Ptr, rows: number, cols: number, s: number, dc: Ptr, dv: Ptr): void;
  fr_clamp_grad(x: Ptr, dy: Ptr, n: number, lo: number, hi: number, dx: Ptr): void;
  fr_transpose(x: Ptr, out: Ptr, d0: number, d1: number, d2: number, d3: number, p0: number, p1: number, p2: number, p3: number): void;
  fr_conv2d_filter_grad(x: Ptr, dy: Ptr, n: number, h: number, w: number, ci: number, ho: number, wo: number, co: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dw: Ptr, acc32: Ptr, acc64: Ptr): void;
  fr_conv2d_input_grad(dy: Ptr, wt: Ptr, n: number, h: number, w: number, ci: number, ho: number, wo: number, co: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dx: Ptr): void;
  fr_depthwise_input_grad(dy: Ptr, w: Ptr, n: number, h: number, wd: number, c: number, ho: number, wo: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dx: Ptr): void;
  fr_depthwise_filter_grad(x: Ptr, dy: Ptr, n: number, h: number, w: number, c: number, ho: number, wo: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dw: Ptr, acc32: Ptr, acc64: Ptr): void;
}

/** What @fr needs of the emscripten module behind tfjs-backend-wasm. */
interface EmscriptenModule {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

const instances = new WeakMap<object, { readonly exports: SimdExports; readonly pool: SimdPool }>();

function heapMemory(backend: BackendWasm): WebAssembly.Memory {
  const module = backend.wasm as unknown as EmscriptenModule;
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error('@fr wasm SIMD kernels: cannot find the WebAssembly.Memory of tfjs-backend-wasm (neither Module.wasmMemory nor Module.asm.memory; tfjs version changed?)');
  }
  return memory;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (typeof Buffer !== 'undefined') {
    const b = Buffer.from(text, 'base64');
    return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function moduleSource(backend: BackendWasm): { bytes: Uint8Array<ArrayBuffer>; memory: WebAssembly.Memory; shared: boolean } {
  const memory = heapMemory(backend);
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  return { bytes: decodeBase64(shared ? SIMD_SHARED_BASE64 : SIMD_PLAIN_BASE64), memory, shared };
}

/**
 * Instantiates the kernels on `backend`'s heap (once per backend instance), with `threads − 1`
 * worker threads for them where the heap is shared and this is Node (see pool.ts). Asynchronous
 * because browsers refuse to compile modules over 4 KB synchronously on the main thread; the wasm
 * provider calls it while setting the backend up.
 */
export async function loadSimdKernels(backend: BackendWasm, threads = 1): Promise<SimdExports> {
  const existing = instances.get(backend);
  if (existing) return existing.exports;
  const { bytes, memory, shared } = moduleSource(backend);
  const { instance } = (await WebAssembly.instantiate(bytes, { env: { memory } })) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
  const exports = instance.exports as unknown as SimdExports;
  const pool = shared && isNode() && threads > 1 ? await SimdPool.start(exports, bytes, memory, threads) : SimdPool.serial(exports);
  instances.set(backend, { exports, pool });
  return exports;
}

/** The threads @fr's kernels may use on `backend` (one, the caller's, unless loaded with more). */
export function simdPoolFor(backend: BackendWasm): SimdPool {
  simdKernelsFor(backend);
  return instances.get(backend)!.pool;
}

/**
 * The kernels on `backend`: those {@link loadSimdKernels} loaded, else instantiated synchronously
 * now (Node and workers allow it; a browser's main thread refuses, with a message saying so).
 */
export function simdKernelsFor(backend: BackendWasm): SimdExports {
  const existing = instances.get(backend);
  if (existing) return existing.exports;
  const { bytes, memory } = moduleSource(backend);
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  } catch (error) {
    throw new Error(`@fr wasm SIMD kernels could not be compiled synchronously (${error instanceof Error ? error.message : String(error)}); set the backend up with selectBackend('wasm'), which loads them asynchronously`);
  }
  const exports = instance.exports as unknown as SimdExports;
  instances.set(backend, { exports, pool: SimdPool.serial(exports) });
  return exports;
}

/** Float32 and float64 views of the whole heap as it is now (after any growth). */
export function heapViews(backend: BackendWasm): { f32: Float32Array; f64: Float64Array } {
  const buffer = heapMemory(backend).buffer;
  return { f32: new Float32Array(buffer), f64: new Float64Array(buffer, 0, Math.floor(buffer.byteLength / 8)) };
}

/** `bytes` rounded up to a multiple of 8 (float64 scratch stays aligned). */
export function align8(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

/** The heap offset of a tensor's data. */
export function pointerOf(backend: BackendWasm, info: tf.TensorInfo): Ptr {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/**
 * Runs `body` with `bytes` of scratch heap (8-byte aligned, contents undefined), freed afterwards
 * also when `body` throws.
 */
export function withHeapScratch<T>(backend: BackendWasm, bytes: number, body: (ptr: Ptr) => T): T {
  const module = backend.wasm as unknown as EmscriptenModule;
  const ptr = module._malloc(Math.max(8, bytes));
  if (!ptr) throw new Error(`@fr wasm SIMD kernels: malloc of ${bytes} bytes of scratch failed (wasm heap exhausted)`);
  try {
    return body(ptr);
  } finally {
    module._free(ptr);
  }
}
