/**
 * Suite `scaling`: how the cost of a training step grows with the batch, the input size and the
 * thread count, and the margin head's with the number of classes — time and peak resident
 * memory, ours vs torch. Every configuration runs in its own process (ours: `fr-bench bench
 * --result-file` in a child; torch: the python script with `--json`), alternating the two sides,
 * because a process's peak memory only grows and the wasm thread count is fixed per process.
 * Bytes per image are the slope of peak memory over the batch sizes (what one more image costs;
 * the intercept is the runtime, the weights and the optimiser state).
 */
import { numberFlag, stringFlag } from '@fr/core/cli';
import { benchCliPath, childFailure, runBenchChild } from './child-run.js';
import { activeCentres, headName, type MarginHeadConfig } from './margin-head.js';
import { fmt, ratio } from './stats.js';
import { runTorchJson } from './torch.js';
import { ourThreads, resolveNetConfig, torchTrainArgs, type NetResult, type TrainStepConfig } from './train-step.js';
import type { BenchContext, BenchTable, LineChart, Suite, SuiteResult } from './types.js';

/** One side's measurement of one configuration. */
export type Measure = { readonly ok: true; readonly seconds: number; readonly peakRssBytes: number } | { readonly ok: false; readonly error: string };

/** A configuration measured on both sides. */
export interface ScalingPoint {
  readonly section: 'batch' | 'input' | 'threads' | 'classes';
  readonly net: string;
  /** The swept value: batch, input size, threads, classes. */
  readonly x: number;
  /** Images (train step) or samples (margin head) per step. */
  readonly items: number;
  readonly threads: number;
  readonly ours: Measure;
  readonly torch: Measure | null;
}

const MB = 1024 * 1024;
const list = (s: string): number[] => s.split(',').map((v) => Number(v.trim())).filter((v) => v > 0);

/** Least-squares slope and intercept of y over x (null with fewer than two distinct x). */
export function linearFit(points: readonly (readonly [number, number])[]): { slope: number; intercept: number } | null {
  const n = points.length;
  if (n < 2 || new Set(points.map(([x]) => x)).size < 2) return null;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return { slope: sxy / sxx, intercept: my - (sxy / sxx) * mx };
}

function fromTorch(run: () => Promise<{ medianSeconds: number; peakRssBytes: number }>): Promise<Measure> {
  return run().then(
    (r) => ({ ok: true as const, seconds: r.medianSeconds, peakRssBytes: r.peakRssBytes }),
    (e: unknown) => ({ ok: false as const, error: e instanceof Error ? e.message : String(e) }),
  );
}

/** The child's median step time from a train-step or margin-head result. */
function childSeconds(data: unknown): number | null {
  const nets = (data as { nets?: NetResult[] } | null)?.nets;
  if (nets) return nets[0]?.sides[0]?.medianSeconds ?? null;
  const rows = data as { sides: { medianSeconds: number }[] }[] | null;
  return Array.isArray(rows) ? (rows[0]?.sides[0]?.medianSeconds ?? null) : null;
}

async function oursInChild(ctx: BenchContext, cli: string, args: string[], threads: number): Promise<Measure> {
  const limit = numberFlag(ctx.args, 'scaling-timeout') ?? 900;
  const run = await runBenchChild(cli, [...args, '--only', 'ours', '--backend', ctx.backend.name, '--peak', 'off'], {
    env: { ...process.env, FR_WASM_THREADS: String(threads) },
    limitSeconds: limit,
  });
  const seconds = childSeconds(run.result?.data);
  if (!run.result || run.result.status !== 'ok' || seconds === null) return { ok: false, error: run.result?.reason ?? childFailure(run, '--scaling-timeout') };
  return { ok: true, seconds, peakRssBytes: run.result.peakRssBytes ?? Number.NaN };
}

function trainArgs(c: TrainStepConfig, steps: number): string[] {
  return ['--suite', 'train-step', '--net', c.net, '--batch', String(c.batchSize), '--input-size', String(c.inputSize), '--width', String(c.widthMultiplier), '--embedding', String(c.embeddingSize), '--classes', String(c.classes), '--steps', String(steps), '--reps', '1', '--warmup', '1'];
}

async function trainPoint(ctx: BenchContext, cli: string, section: ScalingPoint['section'], c: TrainStepConfig, x: number, threads: number, steps: number): Promise<ScalingPoint> {
  ctx.progress(`scaling ${section}: ${c.net} ${c.inputSize}px batch ${c.batchSize}, ${threads} thread(s): ours`);
  const ours = await oursInChild(ctx, cli, trainArgs(c, steps), threads);
  ctx.progress(`scaling ${section}: ${c.net} ${c.inputSize}px batch ${c.batchSize}, ${threads} thread(s): torch`);
  const torch = ctx.torch.available
    ? await fromTorch(() => runTorchJson(ctx.torch, 'train_step.py', [...torchTrainArgs(c, 1), '--steps', String(steps)], threads))
    : null;
  return { section, net: c.net, x, items: c.batchSize, threads, ours, torch };
}

async function headPoint(ctx: BenchContext, cli: string, c: MarginHeadConfig, threads: number, steps: number): Promise<ScalingPoint> {
  const head = c.sampleRate >= 1 ? 'full' : 'partial';
  ctx.progress(`scaling classes: ${headName(c)} C=${c.classes}: ours`);
  const ours = await oursInChild(ctx, cli, ['--suite', 'margin-head', '--margin-classes', String(c.classes), '--margin-heads', head, '--sample-rate', String(c.sampleRate), '--dim', String(c.dim), '--margin-batch', String(c.batchSize), '--steps', String(steps), '--reps', '1', '--warmup', '1'], threads);
  ctx.progress(`scaling classes: ${headName(c)} C=${c.classes}: torch`);
  const torch = ctx.torch.available
    ? await fromTorch(() => runTorchJson(ctx.torch, 'margin_head.py', ['--classes', String(c.classes), '--dim', String(c.dim), '--batch', String(c.batchSize), '--sample-rate', String(c.sampleRate), '--warmup', '1', '--steps', String(steps)], threads))
    : null;
  return { section: 'classes', net: headName(c), x: c.classes, items: c.batchSize, threads, ours, torch };
}

const ms = (m: Measure | null): string => (m?.ok ? fmt(1000 * m.seconds) : m ? 'failed' : '–');
const perSecond = (m: Measure | null, items: number): string => (m?.ok ? fmt(items / m.seconds) : m ? 'failed' : '–');
const mb = (m: Measure | null): string => (m?.ok && Number.isFinite(m.peakRssBytes) ? fmt(m.peakRssBytes / MB) : '–');
const speedRatio = (p: ScalingPoint): string => (p.ours.ok && p.torch?.ok ? ratio(p.ours.seconds / p.torch.seconds) : '–');
const memRatio = (p: ScalingPoint): string => (p.ours.ok && p.torch?.ok ? ratio(p.ours.peakRssBytes / p.torch.peakRssBytes) : '–');

function failures(points: readonly ScalingPoint[]): string[] {
  return points.flatMap((p) => [
    ...(p.ours.ok ? [] : [`ours, ${p.net} ${p.section} ${p.x}: ${p.ours.error.slice(0, 300)}`]),
    ...(p.torch && !p.torch.ok ? [`torch, ${p.net} ${p.section} ${p.x}: ${p.torch.error.slice(0, 300)}`] : []),
  ]);
}

type Measured = Extract<Measure, { ok: true }>;

function series(points: readonly ScalingPoint[], value: (m: Measured, p: ScalingPoint) => number): LineChart['series'] {
  const nets = [...new Set(points.map((p) => p.net))];
  return nets.flatMap((net) => {
    const of = points.filter((p) => p.net === net);
    const prefix = nets.length > 1 ? `${net} ` : '';
    return [
      { name: `${prefix}ours`, points: of.map((p) => ({ x: p.x, y: p.ours.ok ? value(p.ours, p) : Number.NaN })) },
      { name: `${prefix}torch`, dashed: true, points: of.map((p) => ({ x: p.x, y: p.torch?.ok ? value(p.torch, p) : Number.NaN })) },
    ];
  });
}

export const scalingSuite: Suite = {
  name: 'scaling',
  title: 'scaling: time and peak memory against batch, input size, threads and classes, ours vs PyTorch CPU',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const cli = benchCliPath();
    if (!cli) return { suite: 'scaling', title: this.title, status: 'skipped', reason: 'runs its configurations through the fr-bench CLI (packages/bench/dist/cli.js)', config: {}, tables: [], charts: [], data: null };
    const threads = ourThreads(ctx) ?? 1;
    const steps = numberFlag(ctx.args, 'scaling-steps', { integer: true, min: 1 }) ?? (ctx.quick ? 1 : ctx.full ? 3 : 2);
    const sections = (stringFlag(ctx.args, 'scaling-sections') ?? (ctx.quick ? 'batch,classes' : 'batch,input,threads,classes')).split(',').map((s) => s.trim());
    const batchFlag = stringFlag(ctx.args, 'scaling-batches') ?? '';
    const batchesFor = (net: string, base: number): number[] => (batchFlag ? list(batchFlag) : ctx.quick ? [base / 4, base / 2] : ctx.full ? [8, 16, 32, 64, 128] : [base / 4, base]);
    const nets = ctx.quick ? ['iresnet18'] : ['iresnet18', 'mobilefacenet'];
    const points: ScalingPoint[] = [];
    // Defaults of train-step, with --batch / --input-size ignored here (they are swept).
    const base = (net: string, over: Partial<TrainStepConfig> = {}): TrainStepConfig => ({ ...resolveNetConfig(net, { positional: [], flags: new Map() }), ...over });

    if (sections.includes('batch')) {
      for (const net of nets) {
        for (const b of batchesFor(net, base(net).batchSize)) points.push(await trainPoint(ctx, cli, 'batch', base(net, { batchSize: b }), b, threads, steps));
      }
    }
    if (sections.includes('input')) {
      const sizes = list(stringFlag(ctx.args, 'scaling-sizes') ?? (ctx.full ? '56,80,112' : '56,112'));
      const batch = numberFlag(ctx.args, 'scaling-input-batch') ?? 16;
      for (const s of sizes) points.push(await trainPoint(ctx, cli, 'input', base('mobilefacenet', { inputSize: s, batchSize: batch }), s, threads, steps));
    }
    if (sections.includes('threads') && threads > 1) {
      for (const net of nets) {
        for (const t of [1, threads]) {
          // The batch section may have measured this configuration already.
          const same = points.find((p) => p.section === 'batch' && p.net === net && p.x === base(net).batchSize && p.threads === t);
          points.push(same ? { ...same, section: 'threads', x: t } : await trainPoint(ctx, cli, 'threads', base(net), t, t, steps));
        }
      }
    }
    if (sections.includes('classes')) {
      const classes = list(stringFlag(ctx.args, 'scaling-classes') ?? (ctx.quick ? '10000' : ctx.full ? '10000,100000,1000000' : '10000,100000'));
      const rate = numberFlag(ctx.args, 'sample-rate') ?? 0.1;
      for (const sampleRate of [1, rate]) {
        for (const C of classes) points.push(await headPoint(ctx, cli, { classes: C, dim: 512, batchSize: 64, sampleRate }, threads, steps));
      }
    }

    const tables: BenchTable[] = [];
    const charts: LineChart[] = [];
    const torchNote = `torch: ${ctx.torch.available ? `${ctx.torch.version} CPU, same thread count` : `not available (${ctx.torch.reason})`}; peak RSS: the whole process's (runtime, weights, optimiser state and the step)`;
    const batchPoints = points.filter((p) => p.section === 'batch');
    if (batchPoints.length > 0) {
      tables.push({
        title: `Batch size — training step (full FC 1000 + ArcFace + SGD), ${threads} thread(s) each side, median of ${steps} step(s) after 1 warm-up, one process per configuration`,
        columns: ['net', 'batch', 'ours img/s', 'torch img/s', 'torch/ours', 'ours peak MB', 'torch peak MB', 'ours/torch memory'],
        rows: batchPoints.map((p) => [p.net, String(p.x), perSecond(p.ours, p.items), perSecond(p.torch, p.items), speedRatio(p), mb(p.ours), mb(p.torch), memRatio(p)]),
        notes: [torchNote, ...failures(batchPoints)],
      });
      const perImage = [...new Set(batchPoints.map((p) => p.net))].map((net) => {
        const of = batchPoints.filter((p) => p.net === net);
        const fit = (side: 'ours' | 'torch') => linearFit(of.flatMap((p) => {
          const m = p[side];
          return m?.ok && Number.isFinite(m.peakRssBytes) ? [[p.x, m.peakRssBytes] as const] : [];
        }));
        return { net, ours: fit('ours'), torch: fit('torch') };
      });
      tables.push({
        title: 'Memory per image — slope of peak RSS over the batch sizes above (intercept: runtime, weights, optimiser state)',
        columns: ['net', 'ours MB/image', 'torch MB/image', 'ours/torch', 'ours intercept MB', 'torch intercept MB'],
        rows: perImage.map((r) => [
          r.net,
          r.ours ? fmt(r.ours.slope / MB) : '–',
          r.torch ? fmt(r.torch.slope / MB) : '–',
          r.ours && r.torch ? ratio(r.ours.slope / r.torch.slope) : '–',
          r.ours ? fmt(r.ours.intercept / MB) : '–',
          r.torch ? fmt(r.torch.intercept / MB) : '–',
        ]),
      });
      charts.push({ kind: 'line', title: 'Training step throughput against batch size', xLabel: 'batch (log scale)', yLabel: 'images/s', logX: true, series: series(batchPoints, (m, p) => p.items / m.seconds) });
      charts.push({ kind: 'line', title: 'Peak resident memory against batch size', xLabel: 'batch (log scale)', yLabel: 'peak RSS (MB)', logX: true, series: series(batchPoints, (m) => m.peakRssBytes / MB) });
    }
    const inputPoints = points.filter((p) => p.section === 'input');
    if (inputPoints.length > 0) {
      tables.push({
        title: `Input size — MobileFaceNet training step, batch ${inputPoints[0]!.items}, ${threads} thread(s) each side`,
        columns: ['input', 'ours img/s', 'torch img/s', 'torch/ours', 'ours peak MB', 'torch peak MB'],
        rows: inputPoints.map((p) => [`${p.x}×${p.x}`, perSecond(p.ours, p.items), perSecond(p.torch, p.items), speedRatio(p), mb(p.ours), mb(p.torch)]),
        notes: failures(inputPoints),
      });
      charts.push({ kind: 'line', title: 'MobileFaceNet training step throughput against input size', xLabel: 'input side (pixels)', yLabel: 'images/s', series: series(inputPoints, (m, p) => p.items / m.seconds) });
    }
    const threadPoints = points.filter((p) => p.section === 'threads');
    if (threadPoints.length > 0) {
      const rows = [...new Set(threadPoints.map((p) => p.net))].flatMap((net) => {
        const [one, many] = [threadPoints.find((p) => p.net === net && p.x === 1), threadPoints.find((p) => p.net === net && p.x === threads)];
        const speedup = (side: 'ours' | 'torch'): string => {
          const a = one?.[side];
          const b = many?.[side];
          return a?.ok && b?.ok ? ratio(a.seconds / b.seconds) : '–';
        };
        return [one, many].filter((p): p is ScalingPoint => p !== undefined).map((p) => [net, String(p.x), perSecond(p.ours, p.items), perSecond(p.torch, p.items), speedRatio(p), p.x === threads ? speedup('ours') : '', p.x === threads ? speedup('torch') : '']);
      });
      tables.push({
        title: 'Threads — training step at the default configuration (wasm: FR_WASM_THREADS; torch: OPENBLAS/OMP threads)',
        columns: ['net', 'threads', 'ours img/s', 'torch img/s', 'torch/ours', `ours 1→${threads}`, `torch 1→${threads}`],
        rows,
        notes: ['1→N: step time with one thread ÷ with N (a speed-up); both sides share the same cores, alternated', ...failures(threadPoints)],
      });
    }
    const classPoints = points.filter((p) => p.section === 'classes');
    if (classPoints.length > 0) {
      tables.push({
        title: `Classes — margin head forward + backward (d 512, batch 64), ${threads} thread(s) each side`,
        columns: ['head', 'classes', 'centres/step', 'ours ms', 'torch ms', 'torch/ours', 'ours peak MB', 'torch peak MB'],
        rows: classPoints.map((p) => {
          const rate = p.net === 'full FC' ? 1 : (numberFlag(ctx.args, 'sample-rate') ?? 0.1);
          return [p.net, String(p.x), String(activeCentres({ classes: p.x, dim: 512, batchSize: 64, sampleRate: rate })), ms(p.ours), ms(p.torch), speedRatio(p), mb(p.ours), mb(p.torch)];
        }),
        notes: [
          'both heads keep the whole (C, 512) float32 bank and a dense gradient of it (2 GB each at 1M classes; no optimiser here); Partial FC keeps the logits and softmax at B × 0.1·C',
          'ours runs in wasm: its heap stops at 4 GB, so configurations past that fail (the reason is listed)',
          ...failures(classPoints),
        ],
      });
      charts.push({ kind: 'line', title: 'Margin head time against classes', xLabel: 'classes (log scale)', yLabel: 'ms per forward + backward', logX: true, series: series(classPoints, (m) => 1000 * m.seconds) });
      charts.push({ kind: 'line', title: 'Margin head peak memory against classes', xLabel: 'classes (log scale)', yLabel: 'peak RSS (MB)', logX: true, series: series(classPoints, (m) => m.peakRssBytes / MB) });
    }
    return {
      suite: 'scaling',
      title: this.title,
      status: 'ok',
      config: { backend: ctx.backend.name, threads, steps, sections, torch: ctx.torch.version ?? null },
      tables,
      charts,
      data: points,
    };
  },
};
