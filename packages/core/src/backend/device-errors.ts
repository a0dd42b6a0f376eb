/**
 * Errors a GPU device reports asynchronously (WebGPU's `uncapturederror`). A failed pipeline does
 * not throw: its results read back as zeros. Backends push here; the trainer checks after every
 * step and stops instead of training on garbage.
 */
const pending: string[] = [];

export function reportDeviceError(message: string): void {
  pending.push(message);
}

/** Errors reported since the last call (and clears them). */
export function takeDeviceErrors(): string[] {
  return pending.splice(0, pending.length);
}
