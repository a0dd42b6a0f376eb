export { selectBackend, currentBackend, describeBackend, type BackendInfo, type SelectBackendOptions } from './select-backend.js';
export type { BackendCapabilities, BackendChoice, BackendName, BackendProvider, BackendSetupOptions, BackendDetails, ProbeResult } from './provider.js';
export { registerBackendProvider, findBackendProvider } from './registry.js';
export { backendCapabilities, type CurrentBackendCapabilities } from './capabilities.js';
export { importOptional, errorFirstLine, type OptionalImport } from './optional-import.js';
export { isNode, cpuCount } from './environment.js';
export {
  FR_BATCH_NORM_ACT,
  FR_BATCH_NORM_ACT_GRAD,
  FR_L2_NORMALIZE,
  FR_L2_NORMALIZE_GRAD,
  FR_SOFTMAX_CROSS_ENTROPY,
  FR_SOFTMAX_CROSS_ENTROPY_GRAD,
  FR_TAKE_TARGETS,
  FR_TAKE_TARGETS_GRAD,
  FR_REPLACE_TARGETS,
  FR_REPLACE_TARGETS_GRAD,
  FR_CLIP_GRAD,
  backendHasKernel,
  type BatchNormActAttrs,
  type L2NormalizeAttrs,
} from './fused-kernels.js';
