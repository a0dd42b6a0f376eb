/**
 * Per-kernel wall time of our side, for `fr-bench bench --profile`: every kernel registered for a
 * synchronous backend (wasm, cpu) is re-registered wrapped in a timer, and restored afterwards.
 * Times are *self* times: a kernel that calls another through the registry (an @fr composed
 * kernel reaching a wasm kernel it did not capture) does not count the inner one twice, and the
 * inner one is reported under the outer one's name (`Conv2DBackpropFilter > Conv2D`). What is
 * left of a step outside every kernel is the engine's own work (tape, tensor bookkeeping, uploads).
 *
 * Not `tf.profile`: it times every engine-level op, including the forward functions of custom
 * gradients whose time contains the kernels they run, so its times overlap.
 */
import { tf } from '@fr/core';

/** The total self time and call count of one kernel over the timed region. */
export interface KernelTime {
  readonly name: string;
  readonly calls: number;
  readonly ms: number;
}

export class KernelTimer {
  private readonly totals = new Map<string, { calls: number; ms: number }>();
  /** The kernels being timed, outermost first, and the time spent in the kernels each called. */
  private readonly stack: { name: string; childMs: number }[] = [];
  private readonly originals: tf.KernelConfig[] = [];

  private constructor(readonly backendName: string) {}

  /**
   * Wraps every kernel of `backendName` (which must compute synchronously: wall time around the
   * kernel function is its cost). Call {@link uninstall} to restore the registry.
   */
  static install(backendName: string): KernelTimer {
    if (backendName === 'webgpu' || backendName === 'webgl') throw new Error(`KernelTimer: backend '${backendName}' runs kernels asynchronously; their wall time is not measurable here`);
    const timer = new KernelTimer(backendName);
    for (const config of tf.getKernelsForBackend(backendName)) {
      timer.originals.push(config);
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel({ ...config, kernelFunc: timer.wrap(config.kernelName, config.kernelFunc) });
    }
    return timer;
  }

  private wrap(name: string, kernelFunc: tf.KernelFunc): tf.KernelFunc {
    return (args) => {
      const parent = this.stack[this.stack.length - 1];
      const frame = { name: parent ? `${parent.name} > ${name}` : name, childMs: 0 };
      this.stack.push(frame);
      const start = performance.now();
      try {
        return kernelFunc(args);
      } finally {
        const total = performance.now() - start;
        this.stack.pop();
        if (parent) parent.childMs += total;
        const entry = this.totals.get(frame.name) ?? { calls: 0, ms: 0 };
        entry.calls += 1;
        entry.ms += total - frame.childMs;
        this.totals.set(frame.name, entry);
      }
    };
  }

  /** Forgets what was measured so far (e.g. after a warm-up step). */
  reset(): void {
    this.totals.clear();
  }

  /** Kernels by total self time, largest first. */
  report(): KernelTime[] {
    return [...this.totals].map(([name, t]) => ({ name, calls: t.calls, ms: t.ms })).sort((a, b) => b.ms - a.ms);
  }

  /** Puts the original kernels back. */
  uninstall(): void {
    for (const config of this.originals.splice(0)) {
      tf.unregisterKernel(config.kernelName, this.backendName);
      tf.registerKernel(config);
    }
  }
}
