/**
 * The kernel-parity kit: one {@link KernelParityCase} on a backend against a reference backend
 * (cpu), forward and gradient, under the case's tolerances, with a tensor-leak check and a check
 * that the kernels the case lists really ran. Backend packages run every case in their tests.
 */
import { tf } from '../../tf.js';
import type { KernelParityCase } from './cases.js';
import { caseInputs, compare, runCase, type Diff } from './harness.js';

export interface KernelParityOptions {
  /** The backend under test; registered and initialised (e.g. by `selectBackend`). */
  readonly backend: string;
  /** The reference backend (default `cpu`, exact and deterministic). */
  readonly reference?: string;
}

export interface KernelParityResult {
  readonly name: string;
  readonly backend: string;
  readonly reference: string;
  /** Largest |got − ref| over the outputs. */
  readonly forwardMaxAbs: number;
  /** Largest |got − ref| over the gradients; null for forward-only cases. */
  readonly gradientMaxAbs: number | null;
  /** Kernel names dispatched on the backend, sorted. */
  readonly kernels: readonly string[];
  /** Everything wrong (outside tolerance, wrong shape, leaked tensors, listed kernels not run); empty when the case passes. */
  readonly problems: readonly string[];
}

const worst = (diffs: readonly Diff[]): number => diffs.reduce((m, d) => Math.max(m, d.maxAbs), 0);

/** The case's `fusedKernels` where `backend` registers the fused ones, else its `kernels`. */
function expectedKernels(parityCase: KernelParityCase, backend: string): readonly string[] {
  const fused = parityCase.fusedKernels;
  const extra = fused?.filter((k) => !parityCase.kernels.includes(k)) ?? [];
  return fused && extra.every((k) => tf.getKernel(k, backend) != null) ? fused : parityCase.kernels;
}

/**
 * Runs `parityCase` on the reference backend and on `options.backend`, compares them, and leaves
 * `options.backend` current.
 * @example
 * ```ts
 * import { KERNEL_PARITY_CASES, checkKernelParity } from '@fr/core/testing';
 * for (const c of KERNEL_PARITY_CASES) {
 *   test(c.name, async () => expect((await checkKernelParity(c, { backend: 'wasm' })).problems).toEqual([]));
 * }
 * ```
 */
export async function checkKernelParity(parityCase: KernelParityCase, options: KernelParityOptions): Promise<KernelParityResult> {
  const { backend } = options;
  const reference = options.reference ?? 'cpu';
  const inputs = caseInputs(parityCase);
  if (!(await tf.setBackend(reference))) throw new Error(`checkKernelParity: the reference backend "${reference}" is not available`);
  const ref = await runCase(parityCase, inputs);
  if (!(await tf.setBackend(backend))) throw new Error(`checkKernelParity: the backend "${backend}" is not available`);
  const tensorsBefore = tf.memory().numTensors;
  const got = await runCase(parityCase, inputs);
  const leaked = tf.memory().numTensors - tensorsBefore;

  const fwd = got.outputs.map((o, i) => compare(o, ref.outputs[i]!, parityCase.fwd));
  const bwd = got.grads.map((g, i) => compare(g, ref.grads[i]!, parityCase.bwd ?? parityCase.fwd));
  const problems = [
    ...(got.outputs.length !== ref.outputs.length ? [`${got.outputs.length} outputs, expected ${ref.outputs.length}`] : []),
    ...fwd.flatMap((d, i) => (d.problem ? [`output ${i}: ${d.problem}`] : [])),
    ...bwd.flatMap((d, i) => (d.problem ? [`gradient of input ${parityCase.grad[i]}: ${d.problem}`] : [])),
    ...(leaked !== 0 ? [`${leaked} tensors leaked`] : []),
    ...expectedKernels(parityCase, backend).filter((k) => !got.kernels.has(k)).map((k) => `kernel ${k} is listed for the case but did not run`),
  ];
  return {
    name: parityCase.name,
    backend,
    reference,
    forwardMaxAbs: worst(fwd),
    gradientMaxAbs: parityCase.grad.length > 0 ? worst(bwd) : null,
    kernels: [...got.kernels].sort(),
    problems,
  };
}

/**
 * A table of results, one line per case: max |diff| forward and gradient, and the kernels that ran.
 * @example
 * ```ts
 * afterAll(() => console.info(formatKernelParity(results))); // results: KernelParityResult[] collected per case
 * ```
 */
export function formatKernelParity(results: readonly KernelParityResult[]): string {
  const fmt = (v: number | null): string => (v == null ? '-' : v === 0 ? '0' : v.toExponential(1));
  const pairs = [...new Set(results.map((r) => `${r.backend} vs ${r.reference}`))].join(', ');
  const lines = results.map((r) => `  ${r.name.padEnd(48)} fwd ${fmt(r.forwardMaxAbs).padStart(7)}  grad ${fmt(r.gradientMaxAbs).padStart(7)}  [${r.kernels.join(' ')}]`);
  return `[parity] ${pairs}, max |diff| per case:\n${lines.join('\n')}`;
}
