/**
 * Suite `webgpu`: the training step of IResNet-50 + ArcFace (112×112, batch 128) and MobileFaceNet
 * on the webgpu backend (Dawn in Node).
 *
 * - Every configuration is first checked for correctness: the first step's loss and gradient norm
 *   on webgpu must match the wasm backend's for the same weights and batch (a small batch for the
 *   hardware configurations, so the wasm reference stays cheap). A step that "runs" but computes
 *   wrong numbers is reported as such, not as a speed.
 * - A hardware adapter: images/s, and the ratio to PyTorch CUDA (python/train_step.py --device cuda)
 *   when `torch.cuda.is_available()`.
 * - A software adapter (lavapipe/llvmpipe, SwiftShader): no speed is reported. A smoke
 *   configuration (IResNet-50 at width 1/4, 56×56, batch 2; MobileFaceNet width 1/2, 56×56,
 *   batch 4) runs a few steps and the result is "runs on <adapter>", with the step time labelled
 *   as software (informational, not a GPU number).
 * - No adapter: skipped, with Dawn's reason.
 *
 * `fr-bench bench` runs this suite in a child process (Dawn can crash or hang a process, and it
 * keeps the other suites on their own backend); `--in-process` runs it in the current one.
 */
import { selectBackend, tf, type BackendInfo } from '@fr/core';
import { numberFlag } from '@fr/core/cli';
import { benchCliPath, childFailure, runBenchChild } from './child-run.js';
import { fmt, median, ratio } from './stats.js';
import { TorchWorker, runTorchJson } from './torch.js';
import { buildOurStep, torchTrainArgs, type StepSample, type TrainStepConfig } from './train-step.js';
import type { BenchChart, BenchContext, BenchTable, Suite, SuiteResult } from './types.js';

/** The configurations on a hardware adapter (the issue's). */
export const WEBGPU_HARDWARE: readonly TrainStepConfig[] = [
  { net: 'iresnet50', inputSize: 112, widthMultiplier: 1, embeddingSize: 512, batchSize: 128, classes: 1000 },
  { net: 'mobilefacenet', inputSize: 112, widthMultiplier: 1, embeddingSize: 512, batchSize: 128, classes: 1000 },
];
/** The smoke configurations on a software adapter (full size would take hours on lavapipe). */
export const WEBGPU_SMOKE: readonly TrainStepConfig[] = [
  { net: 'iresnet50', inputSize: 56, widthMultiplier: 0.25, embeddingSize: 512, batchSize: 2, classes: 1000 },
  { net: 'mobilefacenet', inputSize: 56, widthMultiplier: 0.5, embeddingSize: 512, batchSize: 4, classes: 1000 },
];

interface Check {
  readonly webgpu: StepSample;
  readonly wasm: StepSample;
  readonly ok: boolean;
  readonly why: string;
}

interface ConfigResult {
  readonly config: TrainStepConfig;
  readonly check: Check | null;
  readonly error: string | null;
  /** Seconds of each timed step (software adapter: informational). */
  readonly times: number[];
  readonly medianSeconds: number | null;
  readonly imagesPerSecond: number | null;
  readonly torchCuda: { readonly times: number[]; readonly imagesPerSecond: number; readonly gpu: string } | null;
}

function close(a: number, b: number, rel: number): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

/** First-step loss and gradient norm on webgpu vs wasm, same weights and batch. */
async function correctness(c: TrainStepConfig): Promise<Check> {
  const run = async (backend: string): Promise<StepSample> => {
    if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") failed`);
    const ours = buildOurStep(c, 11);
    try {
      return await ours.step();
    } finally {
      ours.dispose();
    }
  };
  const wasm = await run('wasm');
  const webgpu = await run('webgpu');
  const problems: string[] = [];
  if (!(webgpu.loss > 0) || !close(webgpu.loss, wasm.loss, 1e-2)) problems.push(`loss ${fmt(webgpu.loss, 5)} vs wasm ${fmt(wasm.loss, 5)}`);
  if (!(webgpu.gradNorm > 0) || !close(webgpu.gradNorm, wasm.gradNorm, 2e-2)) problems.push(`gradient norm ${fmt(webgpu.gradNorm, 5)} vs wasm ${fmt(wasm.gradNorm, 5)}`);
  return { webgpu, wasm, ok: problems.length === 0, why: problems.length === 0 ? 'first-step loss and gradient norm match wasm' : `WRONG NUMBERS: ${problems.join(', ')}` };
}

async function cudaAvailable(ctx: BenchContext): Promise<boolean> {
  if (!ctx.torch.available) return false;
  try {
    const r = await runTorchJson<{ cuda: boolean }>(ctx.torch, 'peak.py', ['--cuda-check'], 1);
    return r.cuda;
  } catch {
    return false;
  }
}

/** The suite body, on the current process (selects webgpu, and wasm for the reference). */
export async function runWebgpuInProcess(ctx: BenchContext): Promise<SuiteResult> {
  const title = webgpuSuite.title;
  let info: BackendInfo;
  try {
    info = await selectBackend('webgpu', { log: null });
  } catch (error) {
    return { suite: 'webgpu', title, status: 'skipped', reason: `no usable WebGPU adapter: ${error instanceof Error ? error.message : String(error)}`, config: {}, tables: [], charts: [], data: null };
  }
  const adapter = String(info.facts.adapter ?? info.facts.device ?? 'unknown adapter');
  const software = info.facts.software === true;
  // The wasm reference backend (registered once; tf.setBackend switches between the two).
  await selectBackend('wasm', { log: null });
  await tf.setBackend('webgpu');
  const configs = software ? WEBGPU_SMOKE : WEBGPU_HARDWARE;
  const warmup = numberFlag(ctx.args, 'webgpu-warmup') ?? (software ? 0 : ctx.quick ? 1 : 3);
  const steps = numberFlag(ctx.args, 'webgpu-steps') ?? (software ? (ctx.quick ? 2 : 3) : ctx.quick ? 3 : ctx.full ? 20 : 10);
  const cuda = !software && (await cudaAvailable(ctx));
  const results: ConfigResult[] = [];
  for (const c of configs) {
    const tag = `${c.net} ${c.inputSize}px b${c.batchSize}`;
    try {
      ctx.progress(`webgpu ${tag}: first step on wasm and on webgpu (correctness)`);
      const check = await correctness(software ? c : { ...c, batchSize: 2 });
      await tf.setBackend('webgpu');
      const ours = buildOurStep(c, 0);
      const times: number[] = [];
      let torchCuda: ConfigResult['torchCuda'] = null;
      let worker: TorchWorker | null = null;
      try {
        if (cuda) {
          ctx.progress(`webgpu ${tag}: starting torch CUDA`);
          worker = await TorchWorker.start(ctx.torch, 'train_step.py', [...torchTrainArgs(c, warmup), '--device', 'cuda'], 1);
        }
        for (let i = 0; i < warmup; i++) {
          ctx.progress(`webgpu ${tag}: warm-up ${i + 1}/${warmup}`);
          await ours.step();
        }
        const torchTimes: number[] = [];
        for (let i = 0; i < steps; i++) {
          ctx.progress(`webgpu ${tag}: step ${i + 1}/${steps}`);
          times.push((await ours.step()).seconds);
          if (worker) torchTimes.push(...(await worker.run(1)));
        }
        if (worker) torchCuda = { times: torchTimes, imagesPerSecond: c.batchSize / median(torchTimes), gpu: String(worker.ready.gpu ?? 'cuda') };
      } finally {
        ours.dispose();
        await worker?.close();
      }
      // Software: the first step compiles every shader; the informational time skips it when it can.
      const timed = software && times.length > 1 ? times.slice(1) : times;
      const med = timed.length > 0 ? median(timed) : null;
      results.push({ config: c, check, error: null, times, medianSeconds: med, imagesPerSecond: !software && med ? c.batchSize / med : null, torchCuda });
    } catch (error) {
      results.push({ config: c, check: null, error: error instanceof Error ? error.message : String(error), times: [], medianSeconds: null, imagesPerSecond: null, torchCuda: null });
    }
  }
  const runsText = (r: ConfigResult): string => (r.error ? `FAILED: ${r.error}` : r.check?.ok ? `runs on ${adapter}` : `runs on ${adapter} but ${r.check?.why}`);
  const table: BenchTable = software
    ? {
      title: `WebGPU on a SOFTWARE adapter (${adapter}): smoke configurations, no speed reported`,
      columns: ['net', 'config', 'result', 'step-0 loss gpu/wasm', 'grad norm gpu/wasm', 'step time (software, info only)'],
      rows: results.map((r) => [
        r.config.net, `${r.config.inputSize}px width ${r.config.widthMultiplier} batch ${r.config.batchSize}`, runsText(r),
        r.check ? `${fmt(r.check.webgpu.loss, 4)} / ${fmt(r.check.wasm.loss, 4)}` : '–',
        r.check ? `${fmt(r.check.webgpu.gradNorm, 4)} / ${fmt(r.check.wasm.gradNorm, 4)}` : '–',
        r.medianSeconds !== null ? `${fmt(r.medianSeconds)} s (software)` : '–',
      ]),
      notes: [
        `a software adapter runs the shaders on the CPU: its step time says nothing about a GPU. The issue's configurations (IResNet-50 and MobileFaceNet, 112×112, batch 128) are replaced by these smoke ones, which finish in seconds on lavapipe`,
        `${steps} step(s) per configuration; the informational time is the median after the first (shader compilation) step`,
      ],
    }
    : {
      title: `WebGPU on ${adapter}: training step, ${warmup} warm-up + ${steps} timed steps`,
      columns: ['net', 'config', 'correct', 's/step', 'img/s', 'torch CUDA img/s', 'torch/ours'],
      rows: results.map((r) => [
        r.config.net, `${r.config.inputSize}px batch ${r.config.batchSize}`, r.error ? `FAILED: ${r.error}` : r.check?.ok ? 'yes' : (r.check?.why ?? '?'),
        r.medianSeconds !== null ? fmt(r.medianSeconds) : '–', r.imagesPerSecond !== null ? fmt(r.imagesPerSecond) : '–',
        r.torchCuda ? fmt(r.torchCuda.imagesPerSecond) : cuda ? '–' : 'no CUDA torch',
        r.torchCuda && r.imagesPerSecond ? ratio(r.torchCuda.imagesPerSecond / r.imagesPerSecond) : '–',
      ]),
      notes: ['correctness: the first step’s loss and gradient norm at batch 2 match the wasm backend’s (same weights, same batch)'],
    };
  const chart: BenchChart = software
    ? {
      title: 'WebGPU smoke run on a software adapter — NOT a GPU speed',
      unit: `seconds per step on ${adapter.split(' (')[0]} (software, informational)`,
      bars: results.map((r) => ({ group: `${r.config.net} ${r.config.inputSize}px b${r.config.batchSize}`, series: 'software adapter (runs on the CPU)', value: r.medianSeconds ?? Number.NaN, note: `s — ${r.error ? 'failed' : r.check?.ok ? 'runs, numbers match wasm' : 'wrong numbers'}` })),
    }
    : {
      title: `WebGPU training step on ${adapter}`,
      unit: 'images/s (higher is better)',
      bars: results.flatMap((r) => [
        { group: `${r.config.net} ${r.config.inputSize}px b${r.config.batchSize}`, series: 'ours (webgpu)', value: r.imagesPerSecond ?? Number.NaN },
        ...(r.torchCuda ? [{ group: `${r.config.net} ${r.config.inputSize}px b${r.config.batchSize}`, series: `torch CUDA (${r.torchCuda.gpu})`, value: r.torchCuda.imagesPerSecond }] : []),
      ]),
    };
  const failed = results.some((r) => r.error || !r.check?.ok);
  return {
    suite: 'webgpu', title, status: failed ? 'failed' : 'ok',
    reason: failed ? results.filter((r) => r.error || !r.check?.ok).map((r) => `${r.config.net}: ${runsText(r)}`).join('; ') : undefined,
    config: { adapter, software, facts: info.facts, warmup, steps, cudaTorch: cuda, configurations: configs },
    tables: [table], charts: [chart], data: results,
  };
}

/** Lines of Dawn's stderr worth reporting (validation errors), de-duplicated, with counts. */
export function dawnErrors(stderr: string): { message: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const line of stderr.split('\n')) {
    const t = line.trim();
    if (!/exceeds the maximum|is invalid|Invalid|validation error|Device lost|out of memory/i.test(t) || t.startsWith('- ') || t.startsWith('[Invalid')) continue;
    const key = t.replace(/\(\d+\)/g, '(N)');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([message, count]) => ({ message, count }));
}

function childArgs(ctx: BenchContext): string[] {
  const out = ['--suite', 'webgpu', '--in-process'];
  for (const f of ['quick', 'full', 'no-torch']) if (ctx.args.flags.has(f)) out.push(`--${f}`);
  for (const f of ['webgpu-steps', 'webgpu-warmup']) {
    const v = ctx.args.flags.get(f);
    if (typeof v === 'string') out.push(`--${f}`, v);
  }
  return out;
}

/** Runs the suite in a child `fr-bench bench --suite webgpu --in-process`, with a time limit. */
async function runInChild(ctx: BenchContext, cli: string): Promise<SuiteResult> {
  const limit = numberFlag(ctx.args, 'webgpu-timeout') ?? (ctx.quick ? 300 : ctx.full ? 3600 : 600);
  ctx.progress(`webgpu: running in a child process (limit ${limit} s)`);
  const run = await runBenchChild(cli, childArgs(ctx), { limitSeconds: limit });
  const errors = dawnErrors(run.stderr);
  if (!run.result) {
    const reason = run.timedOut ? `timed out after ${limit} s (--webgpu-timeout)` : childFailure(run, '--webgpu-timeout');
    return { suite: 'webgpu', title: webgpuSuite.title, status: 'failed', reason, config: {}, tables: [], charts: [], data: { dawnErrors: errors } };
  }
  const { peakRssBytes: _peak, ...result } = run.result;
  if (errors.length === 0) return result;
  const notes = errors.slice(0, 4).map((e) => `Dawn (stderr, ${e.count}×): ${e.message}`);
  return {
    ...result,
    tables: result.tables.map((t, i) => (i === 0 ? { ...t, notes: [...(t.notes ?? []), ...notes] } : t)),
    data: { results: result.data, dawnErrors: errors },
  };
}

export const webgpuSuite: Suite = {
  name: 'webgpu',
  title: 'training step on webgpu (Dawn): IResNet-50 + ArcFace, MobileFaceNet',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const cli = benchCliPath();
    return ctx.args.flags.has('in-process') || !cli ? runWebgpuInProcess(ctx) : runInChild(ctx, cli);
  },
};
