export { selectBackend, currentBackend, describeBackend, type BackendInfo, type SelectBackendOptions } from './select-backend.js';
export type { BackendChoice, BackendName, BackendProvider, BackendSetupOptions, BackendDetails, ProbeResult } from './provider.js';
export { isNode, cpuCount } from './environment.js';
export { takeDeviceErrors, reportDeviceError } from './device-errors.js';
export { probeWebGPUAdapter, type WebGPUProbeResult, type AdapterFacts } from './webgpu.js';
export { runOnCpu } from './run-on-cpu.js';
export { registerCpuFallback } from './wasm-kernels/index.js';
