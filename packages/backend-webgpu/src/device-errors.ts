/**
 * Errors the WebGPU device reports asynchronously (`uncapturederror`): a failed pipeline does not
 * throw, its results read back as zeros. The device's listener records them here; the provider's
 * `drainDeviceErrors()` hands them to the trainer, which stops the step instead of training on
 * garbage.
 */
export class DeviceErrorLog {
  private readonly pending: string[] = [];

  record(message: string): void {
    this.pending.push(message);
  }

  /** Errors recorded since the last call (and forgets them). */
  drain(): string[] {
    return this.pending.splice(0, this.pending.length);
  }
}
