/** Registers the training kernels tfjs-backend-wasm lacks (filled in by the wasm-kernels work). */
export function registerWasmTrainingKernels(): void {
  // intentionally empty until the kernels land
}
