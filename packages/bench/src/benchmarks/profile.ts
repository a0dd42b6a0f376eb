/**
 * `fr-bench bench --profile`: where a step's time goes, ours (self time per tfjs kernel, from
 * {@link KernelTimer}) next to torch's profiler (self CPU time per aten op) for the same step.
 */
import { numberFlag, UsageError } from '@fr/core/cli';
import { KernelTimer, type KernelTime } from './kernel-timer.js';
import { fmt } from './stats.js';
import type { TorchProfile, TorchWorker } from './torch.js';
import type { BenchContext, BenchTable } from './types.js';

/** Ours: kernels by self time per step, and the step's wall time. */
export interface OurProfile {
  readonly kernels: readonly KernelTime[];
  readonly stepMs: number;
}

export interface StepProfile {
  readonly label: string;
  readonly ours: OurProfile | null;
  readonly torch: TorchProfile | null;
}

/** Whether `--profile` was given, and how many steps and rows it asks for. */
export function profileOptions(ctx: BenchContext): { steps: number; top: number } | null {
  if (!ctx.args.flags.has('profile')) return null;
  const given = ctx.args.flags.get('profile');
  // `--profile` alone, or `--profile <top rows>`.
  const top = typeof given === 'string' ? Number(given) : (numberFlag(ctx.args, 'profile-top', { integer: true, min: 1 }) ?? 15);
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--profile takes a row count (a positive integer), got ${JSON.stringify(given)}`);
  return { steps: numberFlag(ctx.args, 'profile-steps', { integer: true, min: 1 }) ?? 2, top };
}

/** Runs `steps` of `step` under a {@link KernelTimer} on `backendName`: kernels per step. */
export async function profileOurs(backendName: string, steps: number, step: () => Promise<unknown>): Promise<OurProfile> {
  const timer = KernelTimer.install(backendName);
  try {
    const start = performance.now();
    for (let i = 0; i < steps; i++) await step();
    const wall = performance.now() - start;
    return { kernels: timer.report().map((k) => ({ name: k.name, calls: k.calls / steps, ms: k.ms / steps })), stepMs: wall / steps };
  } finally {
    timer.uninstall();
  }
}

/** Both sides of one configuration (torch: the first worker, if any). */
export async function profileBoth(ctx: BenchContext, label: string, steps: number, ourStep: (() => Promise<unknown>) | null, torch: TorchWorker | undefined): Promise<StepProfile> {
  ctx.progress(`${label}: profiling ${steps} step(s)`);
  const ours = ourStep ? await profileOurs(ctx.backend.name, steps, ourStep) : null;
  const torchProfile = torch ? await torch.profile(steps) : null;
  return { label, ours, torch: torchProfile };
}

/**
 * Side-by-side table: rank, our kernel (calls, ms/step, share of the step), torch op (same).
 * The last rows are what lies outside the listed kernels: the rest of the kernels, and the
 * time outside any kernel (engine bookkeeping, the optimiser's JS, read-backs).
 */
export function profileTable(p: StepProfile, top: number, torchLabel: string): BenchTable {
  const oursTotal = p.ours?.stepMs ?? 0;
  const torchTotal = p.torch?.stepMs ?? 0;
  const share = (ms: number, total: number): string => (total > 0 ? `${((100 * ms) / total).toFixed(1)}%` : '–');
  const cell = (k: { name: string; calls: number; ms: number } | undefined, total: number): string[] =>
    k ? [k.name, fmt(k.calls), fmt(k.ms), share(k.ms, total)] : ['', '', '', ''];
  const ours = p.ours?.kernels ?? [];
  const torch = p.torch?.ops ?? [];
  const rows: string[][] = [];
  for (let i = 0; i < top; i++) {
    if (i >= ours.length && i >= torch.length) break;
    rows.push([String(i + 1), ...cell(ours[i], oursTotal), ...cell(torch[i], torchTotal)]);
  }
  const rest = (list: readonly { ms: number }[]): number => list.slice(top).reduce((a, k) => a + k.ms, 0);
  const inKernels = (list: readonly { ms: number }[]): number => list.reduce((a, k) => a + k.ms, 0);
  rows.push(['', `(${Math.max(0, ours.length - top)} other kernels)`, '', fmt(rest(ours)), share(rest(ours), oursTotal), `(${Math.max(0, torch.length - top)} other ops)`, '', fmt(rest(torch)), share(rest(torch), torchTotal)]);
  const outsideOurs = oursTotal - inKernels(ours);
  const outsideTorch = torchTotal - inKernels(torch);
  rows.push(['', '(outside kernels)', '', fmt(outsideOurs), share(outsideOurs, oursTotal), '(outside ops)', '', fmt(outsideTorch), share(outsideTorch, torchTotal)]);
  rows.push(['', 'step (wall)', '', fmt(oursTotal), '100%', 'step (wall)', '', fmt(torchTotal), '100%']);
  return {
    title: `Profile of ${p.label}: top ${top} by self time per step — ours vs ${torchLabel}`,
    columns: ['#', 'ours: kernel', 'calls', 'ms', 'share', 'torch: op', 'calls', 'ms', 'share'],
    rows,
    notes: [
      'ours: wall time inside each tfjs kernel (self time: kernels it calls through the registry are counted separately); torch: torch.profiler self CPU time per aten op',
      'outside kernels/ops: the rest of the step (engine and autograd bookkeeping, tensor allocation, read-backs)',
    ],
  };
}
