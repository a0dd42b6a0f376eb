import { tf } from '../tf.js';
import { Rng } from '../random/rng.js';

/** The outcome of one conformance check. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** What was measured, or why it failed. */
  readonly detail: string;
}

/** A plugin's conformance report: every check that ran. */
export interface ConformanceReport {
  readonly plugin: string;
  readonly checks: readonly CheckResult[];
  readonly ok: boolean;
}

/** Throws one error listing every failed check of the report (for any test runner). */
export function assertConforms(report: ConformanceReport): void {
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new Error(`Plugin "${report.plugin}" fails conformance:\n${failed.map((c) => `  - ${c.name}: ${c.detail}`).join('\n')}`);
  }
}

/** Runs one check; an exception becomes a failed result carrying its message. */
export function runCheck(name: string, fn: () => string): CheckResult {
  try {
    return { name, ok: true, detail: fn() };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

export interface GradientCheckOptions {
  /** Central-difference step (default 1e-3: float32 arithmetic). */
  readonly eps?: number;
  /** Random directions tried (default 4). */
  readonly directions?: number;
  readonly rtol?: number;
  readonly atol?: number;
  readonly seed?: number;
}

/**
 * Finite-difference check of tape gradients: for random directions v, compares Σ⟨∂f/∂xᵢ, vᵢ⟩
 * with (f(x + εv) − f(x − εv)) / 2ε. Directional derivatives keep the check O(directions) forward
 * passes whatever the input size. Throws with the worst mismatch; returns a summary.
 */
export function checkGradients(f: (...xs: tf.Tensor[]) => tf.Scalar, xs: readonly tf.Tensor[], options: GradientCheckOptions = {}): string {
  const eps = options.eps ?? 1e-3;
  const rtol = options.rtol ?? 3e-2;
  const atol = options.atol ?? 2e-3;
  const rng = Rng.fromSeed(options.seed ?? 99).fork('gradient-check');
  const analytic = tf.tidy(() => tf.grads(f)(xs as tf.Tensor[]));
  try {
    let worst = 0;
    for (let d = 0; d < (options.directions ?? 4); d++) {
      const result = tf.tidy(() => {
        const vs = xs.map((x) => {
          const v = rng.fillNormal(new Float32Array(x.size));
          return tf.tensor(v, x.shape);
        });
        const plus = f(...xs.map((x, i) => tf.add(x, tf.mul(vs[i] as tf.Tensor, eps)))).dataSync()[0] as number;
        const minus = f(...xs.map((x, i) => tf.sub(x, tf.mul(vs[i] as tf.Tensor, eps)))).dataSync()[0] as number;
        const numeric = (plus - minus) / (2 * eps);
        const dot = analytic.reduce((acc, g, i) => acc + (tf.sum(tf.mul(g, vs[i] as tf.Tensor)).dataSync()[0] as number), 0);
        return { numeric, dot };
      });
      const err = Math.abs(result.numeric - result.dot);
      const allowed = atol + rtol * Math.max(Math.abs(result.numeric), Math.abs(result.dot));
      if (!Number.isFinite(result.dot) || err > allowed) {
        throw new Error(`directional derivative ${d}: tape gives ${result.dot.toPrecision(6)}, finite differences give ${result.numeric.toPrecision(6)} (|diff| ${err.toPrecision(3)} > ${allowed.toPrecision(3)})`);
      }
      worst = Math.max(worst, err / allowed);
    }
    return `tape gradients match finite differences (worst at ${(worst * 100).toFixed(1)}% of tolerance)`;
  } finally {
    for (const g of analytic) g.dispose();
  }
}

/** Throws unless every value of every tensor is finite. */
export function expectFinite(label: string, tensors: Readonly<Record<string, tf.Tensor | undefined>>): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (!t) continue;
    const values = t.dataSync();
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${label}: ${name}[${bad}] is ${values[bad]}`);
  }
}

/**
 * Calls `fn` (inside `tf.tidy`) `repeats` times after one warm-up call and throws if the live
 * tensor count grew: a plugin must not keep tensors it does not own as state.
 */
export function checkNoLeak(fn: () => void, repeats = 5): string {
  tf.tidy(fn);
  const before = tf.memory().numTensors;
  for (let i = 0; i < repeats; i++) tf.tidy(fn);
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`${after - before} tensors leaked over ${repeats} calls (tf.memory().numTensors ${before} → ${after})`);
  return `tensor count flat over ${repeats} calls (${before})`;
}

/** Throws unless the two tensor maps are bitwise identical. */
export function expectIdentical(label: string, a: Readonly<Record<string, tf.Tensor | undefined>>, b: Readonly<Record<string, tf.Tensor | undefined>>): void {
  for (const [name, x] of Object.entries(a)) {
    const y = b[name];
    if (!x || !y) {
      if (x !== y) throw new Error(`${label}: "${name}" is present in one run only`);
      continue;
    }
    if (!tf.util.arraysEqual(x.shape, y.shape)) throw new Error(`${label}: "${name}" shapes differ [${x.shape}] vs [${y.shape}]`);
    const xv = x.dataSync();
    const yv = y.dataSync();
    for (let i = 0; i < xv.length; i++) {
      if (!Object.is(xv[i], yv[i])) throw new Error(`${label}: "${name}"[${i}] differs (${xv[i]} vs ${yv[i]})`);
    }
  }
}
