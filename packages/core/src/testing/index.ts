/**
 * @fr/core/testing — for authors of @fr plugins: a conformance kit to run in your own tests, and
 * a tiny backbone to compose with; for authors of backends: the kernel-parity kit (every kernel
 * @fr trains with, forward and gradient, against the cpu backend).
 * @example
 * ```ts
 * import { checkMarginPlugin, assertConforms } from '@fr/core/testing';
 * test('my margin conforms', () => assertConforms(checkMarginPlugin(() => myMargin({ s: 32 }))));
 * ```
 * @packageDocumentation
 */
export { tinyBackbone, type TinyBackboneOptions } from './tiny-backbone.js';
export { testContext, type TestContextOptions } from './context.js';
export {
  checkMarginPlugin, checkCenterBank, checkLossPlugin, checkAugmentPlugin,
  type ConformanceOptions, type LossConformanceOptions, type AugmentConformanceOptions,
} from './conformance.js';
export {
  assertConforms, checkGradients, checkNoLeak, expectFinite, expectIdentical,
  type CheckResult, type ConformanceReport, type GradientCheckOptions,
} from './checks.js';
export {
  KERNEL_PARITY_CASES, type KernelParityCase, type KernelParityInput, type KernelParityTolerance,
} from './kernel-parity/cases.js';
export { checkKernelParity, formatKernelParity, type KernelParityOptions, type KernelParityResult } from './kernel-parity/check.js';
export { registerCpuTwinBackend, type CpuTwinOptions } from './cpu-twin-backend.js';
export { captureCli, type CapturedCliRun, type CaptureCliOptions } from './capture-cli.js';
