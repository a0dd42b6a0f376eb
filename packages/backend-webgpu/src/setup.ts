/**
 * Everything that makes tfjs' WebGPU backend usable, in one place:
 *
 * 1. {@link probeWebGPUAdapter}: finds the GPU (Node: Dawn's bindings, the optional peer `webgpu`,
 *    imported on demand; browsers: `navigator.gpu`), asks for an adapter and classifies it
 *    (hardware / software). Nothing global is changed yet.
 * 2. {@link activateWebGPU}: requests a device with the storage-buffer and workgroup limits raised
 *    to the adapter's, installs the WebGPU globals and `navigator.gpu` (Node), registers
 *    `new WebGPUBackend(device, adapterInfo)` under the name `webgpu`, registers @fr's own
 *    webgpu kernels (see `kernels.ts`) and makes it the current backend.
 *
 * `@tensorflow/tfjs-backend-webgpu` is imported statically (a dependency), so a browser bundle
 * that imports this package gets it; in Node it loads before `navigator.gpu` exists, so it does
 * not register its own factory.
 */
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { errorFirstLine, importOptional, isNode, tf, type ProbeResult } from '@fr/core';
import {
  describeAdapter,
  raisedLimits,
  readAdapterInfo,
  type AdapterFacts,
  type AdapterInfoLike,
  type AdapterLike,
  type DeviceLike,
  type GpuLike,
} from './adapter.js';
import { DeviceErrorLog } from './device-errors.js';
import { registerWebGPUKernels } from './kernels.js';

/** The device and adapter-info types of WebGPUBackend's constructor (`@webgpu/types`' GPUDevice, GPUAdapterInfo). */
type GPUDeviceOf = ConstructorParameters<typeof WebGPUBackend>[0];
type GPUAdapterInfoOf = ConstructorParameters<typeof WebGPUBackend>[1];

/** A usable adapter, found but not yet turned into a device. */
export interface WebGPUAdapterProbe {
  readonly ok: true;
  readonly gpu: GpuLike;
  readonly adapter: AdapterLike;
  readonly info: AdapterInfoLike;
  readonly facts: AdapterFacts;
  /** Node only: the `globals` export of `webgpu` (GPUBufferUsage, GPUMapMode, …). */
  readonly globals: object | null;
}

export type WebGPUProbeResult = WebGPUAdapterProbe | { readonly ok: false; readonly reason: string };

/** Dawn's Node bindings: an optional peer, named in a variable so bundlers leave it alone. */
const DAWN_PACKAGE = 'webgpu';
/** Upstream registers `webgpu` with this priority; kept for consistency (selectBackend sets it explicitly). */
const BACKEND_PRIORITY = 3;

/** The active device's asynchronous errors, drained by the provider (see `device-errors.ts`). */
export const deviceErrors = new DeviceErrorLog();

let adapterProbe: Promise<WebGPUProbeResult> | null = null;
let active: { readonly probe: WebGPUAdapterProbe; readonly device: DeviceLike; readonly factory: () => tf.KernelBackend } | null = null;

/**
 * Finds the WebGPU adapter tfjs would use, once per process (cached; reset when the device is lost).
 * Never throws: a missing package, a missing Vulkan driver or a null adapter is a reason.
 * @example
 * ```ts
 * import { probeWebGPUAdapter } from '@fr/backend-webgpu';
 * const probe = await probeWebGPUAdapter();
 * console.log(probe.ok ? `${probe.facts.name} (software: ${probe.facts.software})` : probe.reason);
 * ```
 */
export function probeWebGPUAdapter(): Promise<WebGPUProbeResult> {
  adapterProbe ??= findAdapter();
  return adapterProbe;
}

async function findAdapter(): Promise<WebGPUProbeResult> {
  let gpu: GpuLike;
  let globals: object | null = null;
  if (isNode()) {
    const dawn = await importOptional<{ create(options: string[]): GpuLike; globals: object }>(DAWN_PACKAGE);
    if (!dawn.ok) {
      return { ok: false, reason: dawn.missing ? `Dawn's Node bindings are not installed (npm i ${DAWN_PACKAGE}; an optional peer dependency)` : `Dawn's Node bindings: ${dawn.reason}` };
    }
    try {
      gpu = dawn.module.create([]);
      globals = dawn.module.globals;
    } catch (error) {
      return { ok: false, reason: `Dawn failed to start (${errorFirstLine(error)})` };
    }
  } else {
    const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
    if (!nav?.gpu) return { ok: false, reason: 'this browser has no navigator.gpu (WebGPU is disabled or unsupported)' };
    gpu = nav.gpu;
  }

  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { ok: false, reason: `requestAdapter() failed (${errorFirstLine(error)})` };
  }
  if (!adapter) {
    return {
      ok: false,
      reason: isNode()
        ? 'no WebGPU adapter: Dawn found no usable Vulkan driver (install the Vulkan loader libvulkan1 and a driver: the GPU vendor ICD, or for tests lavapipe from Mesa 25; see the @fr/backend-webgpu README)'
        : 'no WebGPU adapter: navigator.gpu.requestAdapter() returned null',
    };
  }
  const info = await readAdapterInfo(adapter);
  const facts = describeAdapter(info, adapter.isFallbackAdapter);
  return { ok: true, gpu, adapter, info, facts, globals };
}

/**
 * Requests the device (limits raised to the adapter's), sets up globals and `navigator.gpu`,
 * registers the `webgpu` backend and @fr's webgpu kernels, and makes it current. Never throws.
 */
export async function activateWebGPU(probe: WebGPUAdapterProbe): Promise<ProbeResult> {
  try {
    if (active?.probe !== probe || tf.findBackendFactory('webgpu') !== active.factory) {
      const device = active?.probe === probe ? active.device : await requestDevice(probe);
      installGlobals(probe);
      const factory = (): tf.KernelBackend => guardReadSync(new WebGPUBackend(device as unknown as GPUDeviceOf, probe.info as GPUAdapterInfoOf));
      // Replace any other registration (upstream's own, which a browser import makes at load time).
      if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
      tf.registerBackend('webgpu', factory, BACKEND_PRIORITY);
      active = { probe, device, factory };
    }
    registerWebGPUKernels();
    if (!(await tf.setBackend('webgpu'))) {
      return { ok: false, reason: 'tf.setBackend("webgpu") failed to initialise (see the warning tfjs printed)' };
    }
    const { facts } = probe;
    return {
      ok: true,
      details: {
        name: 'webgpu',
        threads: 0,
        facts: { adapter: facts.name, vendor: facts.vendor, architecture: facts.architecture, software: facts.software },
      },
    };
  } catch (error) {
    return { ok: false, reason: `WebGPU device setup failed (${errorFirstLine(error)})` };
  }
}

async function requestDevice(probe: WebGPUAdapterProbe): Promise<DeviceLike> {
  const { adapter } = probe;
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({ requiredLimits: raisedLimits(adapter.limits), requiredFeatures, label: '@fr webgpu' });
  // Validation and out-of-memory errors do not throw; they surface here (the trainer checks them).
  device.addEventListener?.('uncapturederror', (event) => deviceErrors.record(`WebGPU: ${event.error?.message ?? 'uncaptured error'}`));
  // A lost device (driver reset, destroy()) cannot come back; the next setup probes afresh.
  void device.lost?.then(() => {
    if (active?.device === device) active = null;
    if (adapterProbe != null) adapterProbe = null;
  });
  return device;
}

/** Node: Dawn's GPU* globals and a `navigator.gpu` (the backend's constructor checks it). */
function installGlobals(probe: WebGPUAdapterProbe): void {
  if (!isNode()) return;
  if (probe.globals) Object.assign(globalThis, probe.globals);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator == null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: probe.gpu }, configurable: true, writable: true });
  } else if (g.navigator.gpu !== probe.gpu) {
    // Node >= 21 has a navigator without gpu.
    Object.defineProperty(g.navigator, 'gpu', { value: probe.gpu, configurable: true, writable: true });
  }
}

/**
 * tfjs-backend-webgpu reads GPU data synchronously through an OffscreenCanvas, which Node lacks:
 * `dataSync()`/`arraySync()` of a tensor that lives on the GPU would fail with "OffscreenCanvas is
 * not defined". Replace that with an error that says what to do instead.
 */
function guardReadSync(backend: tf.KernelBackend): tf.KernelBackend {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return backend;
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    try {
      return readSync(dataId);
    } catch (error) {
      if (error instanceof ReferenceError && /OffscreenCanvas/.test(error.message)) {
        throw new Error('dataSync()/arraySync() cannot read GPU data on the webgpu backend in Node (no OffscreenCanvas): use `await tensor.data()` / `await tensor.array()`');
      }
      throw error;
    }
  };
  return backend;
}
