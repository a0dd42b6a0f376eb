/**
 * Runs a {@link KernelParityCase} on the current tfjs backend and compares results between backends.
 * Inputs and cotangents are drawn from the seeded {@link Rng} as host arrays, so every backend
 * sees the same numbers; gradients are vector–Jacobian products with a random cotangent (not
 * `sum`, whose all-ones cotangent hides transposition and broadcasting mistakes).
 */
import { tf } from '../../tf.js';
import { Rng } from '../../random/rng.js';
import type { KernelParityCase, KernelParityInput, KernelParityTolerance } from './cases.js';

export interface HostTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32' | 'bool';
  readonly values: Float32Array | Int32Array | Uint8Array;
}

export interface CaseResult {
  readonly outputs: readonly HostTensor[];
  readonly grads: readonly HostTensor[];
  /** Kernel names the run dispatched through the registry (forward and backward). */
  readonly kernels: ReadonlySet<string>;
}

const SEED = 20240601;
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function hostInput(spec: KernelParityInput, rng: Rng): HostTensor {
  const n = sizeOf(spec.shape);
  if ('values' in spec) return { shape: spec.shape, dtype: 'float32', values: Float32Array.from(spec.values) };
  if ('int' in spec) return { shape: spec.shape, dtype: 'int32', values: Int32Array.from({ length: n }, () => rng.int(spec.int)) };
  if ('bool' in spec) return { shape: spec.shape, dtype: 'bool', values: Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0)) };
  if ('uniform' in spec) return { shape: spec.shape, dtype: 'float32', values: rng.fillUniform(new Float32Array(n), spec.uniform[0], spec.uniform[1]) };
  return { shape: spec.shape, dtype: 'float32', values: rng.fillNormal(new Float32Array(n), 0, spec.normal ?? 1) };
}

/** The case's inputs as host arrays (deterministic per case name). */
export function caseInputs(c: KernelParityCase): HostTensor[] {
  const rng = Rng.fromSeed(SEED).fork(c.name);
  return c.inputs.map((spec) => hostInput(spec, rng));
}

const toTensor = (h: HostTensor): tf.Tensor => tf.tensor(h.values, h.shape as number[], h.dtype);
const asList = (out: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(out) ? out : [out]);

async function toHost(t: tf.Tensor): Promise<HostTensor> {
  const data = await t.data();
  const values = t.dtype === 'bool' ? Uint8Array.from(data as ArrayLike<number>) : t.dtype === 'int32' ? Int32Array.from(data as ArrayLike<number>) : Float32Array.from(data as ArrayLike<number>);
  return { shape: t.shape, dtype: t.dtype as HostTensor['dtype'], values };
}

/**
 * Records the kernel names dispatched on `backend` while `f` runs, by wrapping the registered
 * kernel functions (restored afterwards).
 */
async function recordKernels<T>(backend: string, f: () => Promise<T>): Promise<{ result: T; kernels: Set<string> }> {
  const kernels = new Set<string>();
  const configs = tf.getKernelsForBackend(backend) as { kernelName: string; kernelFunc: tf.KernelFunc }[];
  const originals = configs.map((config) => config.kernelFunc);
  configs.forEach((config, i) => {
    const original = originals[i] as tf.KernelFunc;
    config.kernelFunc = (args) => {
      kernels.add(config.kernelName);
      return original(args);
    };
  });
  try {
    return { result: await f(), kernels };
  } finally {
    configs.forEach((config, i) => (config.kernelFunc = originals[i] as tf.KernelFunc));
  }
}

/** Runs `c` on the current backend: outputs, and gradients of ⟨outputs, cotangents⟩. */
export async function runCase(c: KernelParityCase, inputs: readonly HostTensor[]): Promise<CaseResult> {
  const { result, kernels } = await recordKernels(tf.getBackend(), async () => {
    const xs = inputs.map(toTensor);
    const outs = tf.tidy(() => asList(c.fn(...xs)));
    const outputs = await Promise.all(outs.map(toHost));
    let grads: HostTensor[] = [];
    if (c.grad.length > 0) {
      const rng = Rng.fromSeed(SEED).fork(`${c.name}/cotangent`);
      const cotangents = outs.map((o) => (o.dtype === 'float32' ? tf.tensor(rng.fillNormal(new Float32Array(o.size)), o.shape) : null));
      const g = tf.tidy(() => {
        const loss = (...diff: tf.Tensor[]): tf.Tensor => {
          const all = xs.slice();
          c.grad.forEach((k, j) => (all[k] = diff[j] as tf.Tensor));
          const terms = asList(c.fn(...all)).flatMap((o, i) => {
            const w = cotangents[i];
            return w ? [tf.sum(tf.mul(o, w))] : [];
          });
          return terms.length === 1 ? (terms[0] as tf.Tensor) : tf.addN(terms);
        };
        return tf.grads(loss)(c.grad.map((k) => xs[k] as tf.Tensor));
      });
      grads = await Promise.all(g.map(toHost));
      tf.dispose([...g, ...cotangents.filter((t): t is tf.Tensor => t != null)]);
    }
    tf.dispose([...xs, ...outs]);
    return { outputs, grads };
  });
  return { ...result, kernels };
}

export interface Diff {
  readonly maxAbs: number;
  /** The largest |got − ref| / (atol + rtol·|ref|); ≤ 1 passes. */
  readonly worstRatio: number;
  readonly problem: string | null;
}

/** Compares one tensor against the reference under `tol`. */
export function compare(got: HostTensor, ref: HostTensor, tol: KernelParityTolerance): Diff {
  if (got.dtype !== ref.dtype) return { maxAbs: NaN, worstRatio: Infinity, problem: `dtype ${got.dtype}, expected ${ref.dtype}` };
  if (!tf.util.arraysEqual(got.shape as number[], ref.shape as number[])) {
    return { maxAbs: NaN, worstRatio: Infinity, problem: `shape [${got.shape}], expected [${ref.shape}]` };
  }
  let maxAbs = 0;
  let worstRatio = 0;
  let worstAt = -1;
  for (let i = 0; i < ref.values.length; i++) {
    const a = got.values[i] as number;
    const b = ref.values[i] as number;
    const d = Math.abs(a - b);
    if (Number.isNaN(d)) return { maxAbs: NaN, worstRatio: Infinity, problem: `NaN at flat index ${i} (got ${a}, expected ${b})` };
    maxAbs = Math.max(maxAbs, d);
    const bound = tol.atol + tol.rtol * Math.abs(b);
    const ratio = d === 0 ? 0 : bound === 0 ? Infinity : d / bound;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worstAt = i;
    }
  }
  const problem =
    worstRatio > 1
      ? `max |diff| ${maxAbs.toExponential(2)}; worst at flat index ${worstAt}: got ${got.values[worstAt]}, expected ${ref.values[worstAt]} (atol ${tol.atol}, rtol ${tol.rtol})`
      : null;
  return { maxAbs, worstRatio, problem };
}
