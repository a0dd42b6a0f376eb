/**
 * Suite `train-step`: images/s of a whole @fr training step (backbone + full FC + ArcFace +
 * cross-entropy + SGD with momentum, weight decay and the backbone's gradient clipped at norm 5 —
 * `Trainer.trainStep` on a fixed host batch) on the current backend, alternated with the same
 * network and step in PyTorch on the CPU (python/train_step.py, 2 threads and 1 thread), and the
 * achieved GFLOP/s against the machine's measured sgemm peak.
 */
import { createTrainer, fullFC, Rng, type Backbone, type HostBatch, type Trainer } from '@fr/core';
import { createBackbone } from '@fr/backbones';
import { arcface } from '@fr/loss-arcface';
import { numberFlag, stringFlag, type ParsedFlags } from '@fr/core/cli';
import { forwardMacsPerImage, trainStepFlops } from './flops.js';
import { profileBoth, profileOptions, profileTable, type StepProfile } from './profile.js';
import { fmt, median, percent, ratio } from './stats.js';
import { TorchWorker, measurePeak, type PeakMeasurement } from './torch.js';
import type { BenchChart, BenchContext, BenchTable, Suite, SuiteResult } from './types.js';

/** A network configuration of the suite (the option names of `createBackbone`). */
export interface NetConfig {
  readonly inputSize: number;
  readonly widthMultiplier: number;
  readonly embeddingSize: number;
  readonly batchSize: number;
  /** The batch of the CPU comparison when it differs from `batchSize` (the GPU suites'). */
  readonly cpuBatchSize?: number;
}

/**
 * The benchmarked configurations. Keep in sync with `NET_DEFAULTS` in python/train_step.py (the
 * suite checks that the configuration torch reports equals its own).
 * - `iresnet18`: width 1/4 (planes 16/32/64/128), 56×56 input, batch 64 (about 44 MMAC/image).
 * - `mobilefacenet`: full width, 56×56 input, batch 32 (about 57 MMAC/image); at 112×112 our wasm
 *   step is 5–10× slower per image (see the README).
 * - `iresnet50`: the standard 112×112, batch 128 (6.3 GMAC/image; the webgpu suite); batch 16 in
 *   this CPU suite's `--full` row (128 images need more than wasm's 4 GB heap and take minutes a step).
 */
export const NET_DEFAULTS: Readonly<Record<string, NetConfig>> = {
  iresnet18: { inputSize: 56, widthMultiplier: 0.25, embeddingSize: 512, batchSize: 64 },
  mobilefacenet: { inputSize: 56, widthMultiplier: 1, embeddingSize: 512, batchSize: 32 },
  iresnet50: { inputSize: 112, widthMultiplier: 1, embeddingSize: 512, batchSize: 128, cpuBatchSize: 16 },
};
/** Classes of the full FC layer (the cosine layer is B·C·d MACs of the step). */
export const DEFAULT_CLASSES = 1000;

export interface TrainStepConfig extends NetConfig {
  readonly net: string;
  readonly classes: number;
}

/** A net's configuration: the defaults, overridden by `--input-size --width --embedding --batch --classes`. */
export function resolveNetConfig(net: string, args: ParsedFlags, base: NetConfig = NET_DEFAULTS[net] ?? (NET_DEFAULTS.iresnet50 as NetConfig)): TrainStepConfig {
  return {
    net,
    inputSize: numberFlag(args, 'input-size') ?? base.inputSize,
    widthMultiplier: numberFlag(args, 'width') ?? base.widthMultiplier,
    embeddingSize: numberFlag(args, 'embedding') ?? base.embeddingSize,
    batchSize: numberFlag(args, 'batch') ?? base.batchSize,
    classes: numberFlag(args, 'classes') ?? DEFAULT_CLASSES,
  };
}

/** `createBackbone` options of a configuration. */
export function backboneOptions(c: TrainStepConfig): Record<string, unknown> {
  return { inputSize: c.inputSize, widthMultiplier: c.widthMultiplier, embeddingSize: c.embeddingSize };
}

/** The arguments of python/train_step.py for the same configuration. */
export function torchTrainArgs(c: TrainStepConfig, warmup: number): string[] {
  return ['--net', c.net, '--input-size', String(c.inputSize), '--width', String(c.widthMultiplier), '--embedding', String(c.embeddingSize), '--batch', String(c.batchSize), '--classes', String(c.classes), '--warmup', String(warmup)];
}

export function describeConfig(c: TrainStepConfig): string {
  return `${c.net} ${c.inputSize}×${c.inputSize} width ${c.widthMultiplier} d=${c.embeddingSize}, batch ${c.batchSize}, full FC ${c.classes} classes, ArcFace, SGD`;
}

/** Our side: a trainer on a fixed random batch (what `Trainer.trainStep` costs, data loading excluded). */
export interface OurStep {
  readonly backbone: Backbone;
  readonly trainer: Trainer;
  readonly batch: HostBatch;
  step(): Promise<StepSample>;
  dispose(): void;
}

/** One timed step: wall seconds, and the loss and gradient norm the trainer read back. */
export interface StepSample {
  readonly seconds: number;
  readonly loss: number;
  readonly gradNorm: number;
}

export function buildOurStep(c: TrainStepConfig, seed = 0): OurStep {
  const rng = Rng.fromSeed(seed);
  const backbone = createBackbone(c.net, backboneOptions(c), { rng: rng.fork('backbone') });
  const centers = fullFC({ numClasses: c.classes, embeddingSize: c.embeddingSize, seed: seed + 1 });
  const images = rng.fork('images').fillUniform(new Float32Array(c.batchSize * c.inputSize * c.inputSize * 3), -1, 1);
  const labelRng = rng.fork('labels');
  const labels = Int32Array.from({ length: c.batchSize }, () => labelRng.int(c.classes));
  const batch: HostBatch = { images, labels, shape: [c.batchSize, c.inputSize, c.inputSize, 3] };
  const trainer = createTrainer({
    backbone,
    centers,
    margin: arcface(),
    dataset: {
      numClasses: c.classes,
      size: c.batchSize,
      async *batches() {
        yield batch;
      },
    },
    config: {
      batchSize: c.batchSize,
      steps: 1_000_000_000,
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
      log: { progress: false },
    },
  });
  return {
    backbone,
    trainer,
    batch,
    async step() {
      const start = performance.now();
      const event = await trainer.trainStep(batch);
      return { seconds: (performance.now() - start) / 1000, loss: event.loss, gradNorm: event.gradNorm };
    },
    dispose() {
      trainer.dispose();
      backbone.module.dispose();
      centers.dispose?.();
    },
  };
}

/** One side of the comparison. */
export interface SideResult {
  readonly side: string;
  /** CPU threads the side computes with (null on a GPU). */
  readonly threads: number | null;
  readonly times: number[];
  readonly medianSeconds: number;
  readonly imagesPerSecond: number;
  readonly gflops: number;
  /** Of the sgemm peak at the same thread count. */
  readonly peakFraction: number | null;
  /** torch images/s ÷ ours (torch rows only). */
  readonly torchOverOurs: number | null;
}

export interface NetResult {
  readonly config: TrainStepConfig;
  readonly forwardMacsPerImage: number;
  readonly torchForwardMacsPerImage: number | null;
  readonly stepFlops: number;
  readonly sides: SideResult[];
  /** `--profile`: top kernels ours vs torch's profiler (first torch thread count). */
  readonly profile: StepProfile | null;
}

export interface Repetitions {
  readonly warmup: number;
  readonly steps: number;
  readonly reps: number;
}

/** Warm-up, steps per repetition and repetitions from `--warmup --steps --reps` and the mode. */
export function repetitions(ctx: BenchContext, standalone: boolean): Repetitions {
  return {
    warmup: numberFlag(ctx.args, 'warmup') ?? (ctx.full ? 2 : 1),
    steps: numberFlag(ctx.args, 'steps') ?? (ctx.quick ? 1 : ctx.full ? 4 : 2),
    reps: numberFlag(ctx.args, 'reps') ?? (standalone || ctx.quick ? 1 : ctx.full ? 5 : 3),
  };
}

/** Torch thread counts: `--threads 2,1` (default: 2 and 1; `--quick`: 2). */
export function torchThreads(ctx: BenchContext): number[] {
  const given = stringFlag(ctx.args, 'threads') ?? (ctx.quick ? '2' : '2,1');
  const list = given.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--threads needs positive integers, got ${given}`);
  return list;
}

/** The peak: `--peak measure` (default), `--peak off`, or `--peak <1-thread GFLOP/s>,<2-thread GFLOP/s>,…`. */
export async function resolvePeak(ctx: BenchContext, threads: readonly number[]): Promise<PeakMeasurement[]> {
  const given = stringFlag(ctx.args, 'peak') ?? 'measure';
  if (given === 'off') return [];
  if (given !== 'measure') {
    return given.split(',').map((s, i) => {
      const v = Number(s);
      if (!(v > 0)) throw new Error(`--peak needs GFLOP/s numbers for 1, 2, … threads, got ${given}`);
      return { threads: i + 1, sgemmGflops: v, conv3x3Gflops: null, source: 'given' as const };
    });
  }
  if (!ctx.torch.available) return [];
  ctx.progress('measuring the sgemm peak with torch');
  return measurePeak(ctx.torch, [...new Set(threads)].sort(), ctx.quick);
}

function peakFor(peaks: readonly PeakMeasurement[], threads: number | null): number | null {
  if (threads === null) return null;
  return peaks.find((p) => p.threads === threads)?.sgemmGflops ?? null;
}

/** CPU threads our backend computes with (null for GPU backends). */
export function ourThreads(ctx: BenchContext): number | null {
  if (ctx.backend.name === 'webgpu') return null;
  return Math.max(1, ctx.backend.threads);
}

async function runNet(ctx: BenchContext, c: TrainStepConfig, only: string, threads: readonly number[], r: Repetitions, peaks: readonly PeakMeasurement[]): Promise<NetResult> {
  const label = `${c.net}`;
  const wantOurs = only !== 'torch';
  const wantTorch = only !== 'ours' && ctx.torch.available;
  let ours: OurStep | null = null;
  const workers: TorchWorker[] = [];
  try {
    let macs = 0;
    if (wantOurs) {
      ctx.progress(`${label}: building ours on ${ctx.backend.name}`);
      ours = buildOurStep(c);
      macs = await forwardMacsPerImage(ours.backbone);
    }
    let torchMacs: number | null = null;
    for (const t of wantTorch ? threads : []) {
      ctx.progress(`${label}: starting torch (${t} thread${t === 1 ? '' : 's'}) and its ${r.warmup} warm-up step(s)`);
      const w = await TorchWorker.start(ctx.torch, 'train_step.py', torchTrainArgs(c, r.warmup), t);
      workers.push(w);
      const tc = w.ready.config as Record<string, number | string>;
      const mismatch = (['inputSize', 'widthMultiplier', 'embeddingSize', 'batchSize', 'classes'] as const).filter((k) => Number(tc[k]) !== c[k]);
      if (tc.net !== c.net || mismatch.length > 0) throw new Error(`torch ran another configuration (${JSON.stringify(tc)})`);
      torchMacs = Number(w.ready.forwardMacsPerImage);
    }
    if (!wantOurs) macs = torchMacs ?? 0;
    const times = new Map<string, number[]>();
    const oursName = `ours (${ctx.backend.name})`;
    if (ours) {
      times.set(oursName, []);
      for (let i = 0; i < r.warmup; i++) {
        ctx.progress(`${label}: ours warm-up step ${i + 1}/${r.warmup}`);
        await ours.step();
      }
    }
    for (const w of workers) times.set(w.label, []);
    for (let rep = 0; rep < r.reps; rep++) {
      if (ours) {
        for (let i = 0; i < r.steps; i++) {
          ctx.progress(`${label}: rep ${rep + 1}/${r.reps} ours step ${i + 1}/${r.steps}`);
          (times.get(oursName) as number[]).push((await ours.step()).seconds);
        }
      }
      for (const w of workers) {
        ctx.progress(`${label}: rep ${rep + 1}/${r.reps} ${w.label}, ${r.steps} step(s)`);
        (times.get(w.label) as number[]).push(...(await w.run(r.steps)));
      }
    }
    const profiling = profileOptions(ctx);
    const profile = profiling ? await profileBoth(ctx, `${describeConfig(c)}`, profiling.steps, ours ? () => (ours as OurStep).step() : null, workers[0]) : null;
    const flops = trainStepFlops(macs, c.batchSize, c.classes, c.embeddingSize);
    const oursThreads = ourThreads(ctx);
    const sideThreads = (name: string): number | null => (name === oursName ? oursThreads : (workers.find((w) => w.label === name)?.threads ?? null));
    const base = times.get(oursName);
    const oursMedian = base ? median(base) : null;
    const sides: SideResult[] = [...times].map(([side, ts]) => {
      const med = median(ts);
      const t = sideThreads(side);
      const peak = peakFor(peaks, t);
      const gflops = flops / med / 1e9;
      return {
        side,
        threads: t,
        times: ts,
        medianSeconds: med,
        imagesPerSecond: c.batchSize / med,
        gflops,
        peakFraction: peak ? gflops / peak : null,
        torchOverOurs: side !== oursName && oursMedian !== null ? oursMedian / med : null,
      };
    });
    return { config: c, forwardMacsPerImage: macs, torchForwardMacsPerImage: torchMacs, stepFlops: flops, sides, profile };
  } finally {
    for (const w of workers) await w.close();
    ours?.dispose();
  }
}

/** The nets to run: `--net a,b` (default iresnet18 and mobilefacenet; `--full` adds iresnet50, the production network). */
export function selectedNets(ctx: BenchContext): string[] {
  return (stringFlag(ctx.args, 'net') ?? (ctx.full ? 'iresnet18,mobilefacenet,iresnet50' : 'iresnet18,mobilefacenet')).split(',').map((s) => s.trim()).filter(Boolean);
}

/** A net's configuration in this CPU suite: its defaults with the CPU batch, then the flags. */
function cpuNetConfig(net: string, ctx: BenchContext): TrainStepConfig {
  const defaults = NET_DEFAULTS[net] ?? (NET_DEFAULTS.iresnet50 as NetConfig);
  return resolveNetConfig(net, ctx.args, { ...defaults, batchSize: defaults.cpuBatchSize ?? defaults.batchSize });
}

export const trainStepSuite: Suite = {
  name: 'train-step',
  title: 'training step, ours vs PyTorch CPU (ArcFace family)',
  async run(ctx): Promise<SuiteResult> {
    const only = stringFlag(ctx.args, 'only') ?? 'both';
    if (!['both', 'ours', 'torch'].includes(only)) throw new Error(`--only must be ours, torch or both, got ${only}`);
    if (only === 'torch' && !ctx.torch.available) {
      return { suite: 'train-step', title: this.title, status: 'skipped', reason: `--only torch but PyTorch is not available: ${ctx.torch.reason}`, config: {}, tables: [], charts: [], data: null };
    }
    const standalone = only !== 'both';
    const r = repetitions(ctx, standalone);
    const threads = torchThreads(ctx);
    const oursT = ourThreads(ctx);
    const peaks = only === 'ours' ? [] : await resolvePeak(ctx, [...(oursT ? [oursT] : []), ...threads]);
    const nets: NetResult[] = [];
    for (const net of selectedNets(ctx)) {
      const c = cpuNetConfig(net, ctx);
      // The production networks (IResNet-50/100 at 112×112, ~0.6 TFLOP a 16-image step) get fewer
      // repetitions: 20 steps a side would take many minutes.
      const heavy = /^iresnet(50|100)$/.test(net) && c.inputSize >= 112;
      nets.push(await runNet(ctx, c, only, threads, heavy ? { ...r, steps: Math.min(r.steps, 2), reps: Math.min(r.reps, 3) } : r, peaks));
      const n = nets[nets.length - 1] as NetResult;
      if (standalone) {
        for (const s of n.sides) {
          ctx.out(`${describeConfig(c)}; ${s.side}${s.side.startsWith('ours') && s.threads ? `, ${s.threads} thread${s.threads === 1 ? '' : 's'}` : ''}`);
          ctx.out(`${s.times.length} steps after ${r.warmup} warm-up: median ${s.medianSeconds.toFixed(3)} s/step, ${s.imagesPerSecond.toFixed(1)} images/s; forward ${(n.forwardMacsPerImage / 1e6).toFixed(1)} MMAC/image`);
        }
      }
    }
    const table: BenchTable = {
      title: only === 'both'
        ? `Training step on ${ctx.backend.name} vs PyTorch ${ctx.torch.version ?? '(not available)'} CPU — median of ${r.reps}×${r.steps} step(s) per side after ${r.warmup} warm-up, alternated`
        : `Training step, ${only === 'ours' ? `ours on ${ctx.backend.name}` : `PyTorch ${ctx.torch.version ?? ''} CPU`} only — median of ${r.reps}×${r.steps} step(s) after ${r.warmup} warm-up`,
      columns: ['net', 'side', 'threads', 's/step', 'img/s', 'GFLOP/s', '% sgemm peak', 'torch/ours'],
      rows: nets.flatMap((n) => n.sides.map((s) => [
        n.config.net, s.side, s.threads === null ? 'gpu' : String(s.threads), s.medianSeconds.toFixed(3), fmt(s.imagesPerSecond), fmt(s.gflops), percent(s.peakFraction), ratio(s.torchOverOurs),
      ])),
      notes: [
        ...nets.map((n) => `${describeConfig(n.config)}: forward ${fmt(n.forwardMacsPerImage / 1e6)} MMAC/image${n.torchForwardMacsPerImage !== null && n.torchForwardMacsPerImage !== n.forwardMacsPerImage && only === 'both' ? ` (torch counts ${fmt(n.torchForwardMacsPerImage / 1e6)}!)` : n.torchForwardMacsPerImage !== null ? ' (same count in torch)' : ''}, step ≈ ${fmt(n.stepFlops / 1e9)} GFLOP (3 × 2 × (B·MACs + B·C·d))`),
        peaks.length > 0
          ? `peak: ${peaks.map((p) => `${fmt(p.sgemmGflops)} GFLOP/s sgemm on ${p.threads} thread${p.threads === 1 ? '' : 's'}${p.conv3x3Gflops ? ` (oneDNN conv3x3 ${fmt(p.conv3x3Gflops)})` : ''}`).join(', ')} — ${peaks[0]?.source === 'given' ? 'given by --peak' : 'measured with torch in this run'}; each side is compared with the peak at its own thread count`
          : 'peak: not measured (no torch, or --peak off)',
        oursT === 1 ? `ours: tfjs ${ctx.backend.name} computes on one thread in Node (its XNNPACK SIMD is 128-bit: half of an AVX2-FMA core's peak at best)` : '',
        'torch/ours: torch images/s ÷ ours (above 1: torch is faster)',
      ].filter(Boolean),
    };
    const chart: BenchChart = {
      title: `Training step images/s — ours (${ctx.backend.name}) vs PyTorch CPU`,
      unit: 'images/s (higher is better)',
      bars: nets.flatMap((n) => n.sides.map((s) => ({
        group: `${n.config.net} ${n.config.inputSize}px b${n.config.batchSize}`,
        series: s.side,
        value: s.imagesPerSecond,
        note: s.torchOverOurs !== null ? `(${ratio(s.torchOverOurs)} ours)` : undefined,
      }))),
    };
    return {
      suite: 'train-step',
      title: this.title,
      status: 'ok',
      config: { backend: ctx.backend.name, backendFacts: ctx.backend.facts, torch: ctx.torch.version ?? null, only, ...r, torchThreads: threads },
      tables: [table, ...profileTables(nets, ctx)],
      charts: [chart],
      data: { peaks, nets },
    };
  },
};

function profileTables(nets: readonly NetResult[], ctx: BenchContext): BenchTable[] {
  const top = profileOptions(ctx)?.top ?? 0;
  return nets.flatMap((n) => (n.profile ? [profileTable(n.profile, top, `torch ${torchThreads(ctx)[0]} thread(s)`)] : []));
}

/** Images/s of our step per net, for the loader suite's "is it fast enough" (null when not run). */
export function trainStepDemand(result: SuiteResult | undefined): { net: string; side: string; imagesPerSecond: number; inputSize: number }[] {
  if (!result || result.status !== 'ok') return [];
  const data = result.data as { nets: NetResult[] };
  return data.nets.flatMap((n) => n.sides.map((s) => ({ net: n.config.net, side: s.side, imagesPerSecond: s.imagesPerSecond, inputSize: n.config.inputSize })));
}

