export { selectBackend, currentBackend, describeBackend, type BackendInfo, type SelectBackendOptions } from './select-backend.js';
export type { BackendCapabilities, BackendChoice, BackendName, BackendProvider, BackendSetupOptions, BackendDetails, ProbeResult } from './provider.js';
export { registerBackendProvider, findBackendProvider } from './registry.js';
export { backendCapabilities, type CurrentBackendCapabilities } from './capabilities.js';
export { importOptional, errorFirstLine, type OptionalImport } from './optional-import.js';
export { isNode, cpuCount } from './environment.js';
