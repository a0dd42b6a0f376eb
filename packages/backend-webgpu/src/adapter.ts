/**
 * What @fr needs to know about a WebGPU adapter, read from `adapter.info` (or the older
 * `requestAdapterInfo()`), without depending on `@webgpu/types`.
 */

/** The subset of `GPUAdapterInfo` read here (all fields optional: implementations differ). */
export interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  /** Newer spec: on `GPUAdapterInfo`. */
  readonly isFallbackAdapter?: boolean;
}

/** The subset of `GPUAdapter` used by the webgpu provider. */
export interface AdapterLike {
  readonly info?: AdapterInfoLike;
  /** Older spec: on the adapter itself. */
  readonly isFallbackAdapter?: boolean;
  readonly features: { has(name: string): boolean };
  readonly limits: Readonly<Record<string, number | undefined>> | object;
  requestAdapterInfo?(): Promise<AdapterInfoLike>;
  requestDevice(descriptor?: {
    requiredFeatures?: string[];
    requiredLimits?: Record<string, number>;
    label?: string;
  }): Promise<DeviceLike>;
}

/** The subset of `GPUDevice` used here (the backend gets the real object). */
export interface DeviceLike {
  readonly lost?: Promise<{ readonly reason?: string; readonly message?: string }>;
  readonly limits: object;
  destroy(): void;
  addEventListener?(type: 'uncapturederror', listener: (event: { readonly error?: { readonly message?: string } }) => void): void;
}

/** `navigator.gpu` / the `GPU` object from `webgpu`'s `create()`. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance'; forceFallbackAdapter?: boolean }): Promise<AdapterLike | null>;
}

/** Facts reported about the adapter (logged by `selectBackend`). */
export interface AdapterFacts {
  /** A human-readable name: description, else device, else vendor + architecture. */
  readonly name: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A CPU implementation (lavapipe/llvmpipe, SwiftShader, WARP, or an adapter marked as fallback). */
  readonly software: boolean;
}

/** Names of CPU (software) WebGPU/Vulkan/D3D implementations as they appear in adapter info. */
const SOFTWARE_NAMES = /\b(llvmpipe|lavapipe|swiftshader|softpipe)\b|basic render driver/i;

/** Reads the adapter's info (spec `adapter.info`, else the older async `requestAdapterInfo()`). */
export async function readAdapterInfo(adapter: AdapterLike): Promise<AdapterInfoLike> {
  if (adapter.info) return adapter.info;
  if (typeof adapter.requestAdapterInfo === 'function') {
    try {
      return await adapter.requestAdapterInfo();
    } catch {
      return {};
    }
  }
  return {};
}

/** Classifies an adapter from its info; `adapterFallback` is the older `adapter.isFallbackAdapter`. */
export function describeAdapter(info: AdapterInfoLike, adapterFallback?: boolean): AdapterFacts {
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const software =
    info.isFallbackAdapter === true ||
    adapterFallback === true ||
    /^(software|cpu|swiftshader)$/i.test(architecture) ||
    SOFTWARE_NAMES.test([vendor, architecture, device, description].join(' '));
  // Chrome leaves description and device empty: the architecture (e.g. swiftshader) says more than the vendor.
  const name = description || device || (architecture && vendor ? `${vendor} ${architecture}` : architecture || vendor) || 'unknown adapter';
  return { name, vendor, architecture, device, description, software };
}

/**
 * The device limits to request: each limit tfjs' WebGPU kernels are bounded by (storage buffer
 * binding size, buffers per stage, workgroup sizes and storage), raised to the adapter's maximum.
 */
export const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;

export function raisedLimits(adapterLimits: object): Record<string, number> {
  const limits = adapterLimits as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = limits[name];
    if (typeof value === 'number' && Number.isFinite(value)) out[name] = value;
  }
  return out;
}
