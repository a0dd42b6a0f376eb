/**
 * Suite `margin-head`: forward + backward of the margin head alone — cosine of B embeddings to the
 * class centres, ArcFace (exact th/mm, s 64, m 0.5), cross-entropy, gradients w.r.t. the
 * embeddings and the centres, no optimiser — for a full FC and a Partial FC (sample rate 0.1),
 * C = 10k and 100k classes, d = 512, B = 64; ours alternated with python/margin_head.py.
 */
import { fullFC, Rng, rowNorm, softmaxCrossEntropy, tf, type CenterBankPlugin, type PluginContext } from '@fr/core';
import { testContext } from '@fr/core/testing';
import { arcface, partialFC } from '@fr/loss-arcface';
import { numberFlag, stringFlag } from '@fr/core/cli';
import { profileBoth, profileOptions, profileTable, type StepProfile } from './profile.js';
import { fmt, median, ratio } from './stats.js';
import { TorchWorker } from './torch.js';
import { ourThreads, repetitions, torchThreads } from './train-step.js';
import type { BenchChart, BenchContext, BenchTable, Suite, SuiteResult } from './types.js';

export interface MarginHeadConfig {
  readonly classes: number;
  readonly dim: number;
  readonly batchSize: number;
  /** 1 = full FC. */
  readonly sampleRate: number;
}

/** Centres actually used per step: ⌊rate·C⌋ (PFC v2), or C. */
export function activeCentres(c: MarginHeadConfig): number {
  return c.sampleRate >= 1 ? c.classes : Math.floor(c.sampleRate * c.classes);
}

export function headName(c: MarginHeadConfig): string {
  return c.sampleRate >= 1 ? 'full FC' : `Partial FC ${c.sampleRate}`;
}

/** Our margin head on the current backend: returns a function timing one forward + backward. */
export function buildOurHead(c: MarginHeadConfig, seed = 0): { step(): Promise<number>; dispose(): void } {
  const rng = Rng.fromSeed(seed);
  const bank: CenterBankPlugin & { module: { weight: tf.Variable } } = c.sampleRate >= 1
    ? fullFC({ numClasses: c.classes, embeddingSize: c.dim, seed: seed + 1 })
    : partialFC({ numClasses: c.classes, embeddingSize: c.dim, sampleRate: c.sampleRate, seed: seed + 1 });
  const margin = arcface();
  const emb = tf.variable(tf.tensor2d(rng.fork('embeddings').fillNormal(new Float32Array(c.batchSize * c.dim)), [c.batchSize, c.dim]));
  const labelRng = rng.fork('labels');
  const hostLabels = Int32Array.from({ length: c.batchSize }, () => labelRng.int(c.classes));
  const labels = tf.tensor1d(hostLabels, 'int32');
  const weight = bank.module.weight;
  const pluginRng = rng.fork('plugin');
  let stepIndex = 0;
  return {
    async step() {
      const start = performance.now();
      const ctx: PluginContext = testContext({ step: stepIndex++, rng: pluginRng, hostLabels });
      const probe = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const out = bank.cosine({ embedding: emb as tf.Tensor2D, labels }, ctx);
          const head = margin.logits({ cosine: out.cosine, targets: out.targets, embedding: emb as tf.Tensor2D, embeddingNorm: rowNorm(emb as tf.Tensor2D) }, ctx);
          return tf.mean(softmaxCrossEntropy(head.logits, head.targets ?? out.targets)) as tf.Scalar;
        }, [emb, weight]);
        const gE = grads[emb.name] as tf.Tensor2D;
        const gW = grads[weight.name] as tf.Tensor2D;
        // Read back one element of each gradient: a GPU backend must finish both to answer.
        return tf.stack([value, tf.sum(tf.slice(gE, [0, 0], [1, 1])), tf.sum(tf.slice(gW, [c.classes - 1, 0], [1, 1]))]);
      });
      const values = await probe.data();
      probe.dispose();
      if (!Number.isFinite(values[0] as number)) throw new Error(`margin head loss ${values[0]}`);
      return (performance.now() - start) / 1000;
    },
    dispose() {
      emb.dispose();
      labels.dispose();
      bank.dispose?.();
    },
  };
}

interface SideTimes {
  readonly side: string;
  readonly threads: number | null;
  readonly times: number[];
  readonly medianSeconds: number;
  /** 6·B·C′·d (forward cosine matmul and its two gradient matmuls) per second. */
  readonly gflops: number;
  readonly torchOverOurs: number | null;
}

export const marginHeadSuite: Suite = {
  name: 'margin-head',
  title: 'margin head forward+backward: full FC vs Partial FC, ours vs PyTorch CPU',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const classes = (stringFlag(ctx.args, 'margin-classes') ?? (ctx.quick ? '10000' : '10000,100000')).split(',').map(Number);
    const dim = numberFlag(ctx.args, 'dim') ?? 512;
    const batchSize = numberFlag(ctx.args, 'margin-batch') ?? 64;
    const rate = numberFlag(ctx.args, 'sample-rate') ?? 0.1;
    const only = stringFlag(ctx.args, 'only') ?? 'both';
    const r = repetitions(ctx, only !== 'both');
    const threads = torchThreads(ctx);
    const wantTorch = only !== 'ours' && ctx.torch.available;
    const heads = (stringFlag(ctx.args, 'margin-heads') ?? 'full,partial').split(',').map((h) => h.trim());
    if (heads.some((h) => h !== 'full' && h !== 'partial')) throw new Error(`--margin-heads takes full and/or partial, got ${heads.join(',')}`);
    const rates = [...(heads.includes('full') ? [1] : []), ...(heads.includes('partial') ? [rate] : [])];
    const configs: MarginHeadConfig[] = classes.flatMap((C) => rates.map((sampleRate) => ({ classes: C, dim, batchSize, sampleRate })));
    const rows: { config: MarginHeadConfig; sides: SideTimes[]; profile: StepProfile | null }[] = [];
    const profiling = profileOptions(ctx);
    for (const c of configs) {
      const tag = `C=${c.classes} ${headName(c)}`;
      const workers: TorchWorker[] = [];
      let ours: ReturnType<typeof buildOurHead> | null = null;
      try {
        for (const t of wantTorch ? threads : []) {
          ctx.progress(`${tag}: starting torch (${t} thread${t === 1 ? '' : 's'})`);
          workers.push(await TorchWorker.start(ctx.torch, 'margin_head.py', ['--classes', String(c.classes), '--dim', String(c.dim), '--batch', String(c.batchSize), '--sample-rate', String(c.sampleRate), '--warmup', String(r.warmup)], t));
        }
        const times = new Map<string, number[]>();
        const oursName = `ours (${ctx.backend.name})`;
        if (only !== 'torch') {
          ours = buildOurHead(c);
          times.set(oursName, []);
          for (let i = 0; i < r.warmup; i++) {
            ctx.progress(`${tag}: ours warm-up ${i + 1}/${r.warmup}`);
            await ours.step();
          }
        }
        for (const w of workers) times.set(w.label, []);
        for (let rep = 0; rep < r.reps; rep++) {
          if (ours) {
            for (let i = 0; i < r.steps; i++) {
              ctx.progress(`${tag}: rep ${rep + 1}/${r.reps} ours ${i + 1}/${r.steps}`);
              (times.get(oursName) as number[]).push(await ours.step());
            }
          }
          for (const w of workers) {
            ctx.progress(`${tag}: rep ${rep + 1}/${r.reps} ${w.label}`);
            (times.get(w.label) as number[]).push(...(await w.run(r.steps)));
          }
        }
        const profile = profiling ? await profileBoth(ctx, `margin head ${tag}`, profiling.steps, ours ? () => (ours as ReturnType<typeof buildOurHead>).step() : null, workers[0]) : null;
        const flops = 6 * c.batchSize * activeCentres(c) * c.dim;
        const base = times.get(oursName);
        const oursMedian = base ? median(base) : null;
        rows.push({
          config: c,
          profile,
          sides: [...times].map(([side, ts]) => {
            const med = median(ts);
            return {
              side,
              threads: side === oursName ? ourThreads(ctx) : (workers.find((w) => w.label === side)?.threads ?? null),
              times: ts,
              medianSeconds: med,
              gflops: flops / med / 1e9,
              torchOverOurs: side !== oursName && oursMedian !== null ? oursMedian / med : null,
            };
          }),
        });
      } finally {
        for (const w of workers) await w.close();
        ours?.dispose();
      }
    }
    const table: BenchTable = {
      title: `Margin head (cosine + ArcFace + CE, forward + backward to embeddings and centres), d=${dim}, batch ${batchSize} — median of ${r.reps}×${r.steps} after ${r.warmup} warm-up`,
      columns: ['classes', 'head', 'centres/step', 'side', 'threads', 'ms/step', 'GFLOP/s', 'torch/ours'],
      rows: rows.flatMap((row) => row.sides.map((s) => [
        String(row.config.classes), headName(row.config), String(activeCentres(row.config)), s.side, s.threads === null ? 'gpu' : String(s.threads), fmt(1000 * s.medianSeconds), fmt(s.gflops), ratio(s.torchOverOurs),
      ])),
      notes: [
        'GFLOP/s counts the three B×C′×d matmuls (6·B·C′·d); normalising the centres, the margin, softmax and the scatter of Partial FC gradients are extra work on both sides',
        'Partial FC: ours samples on the host (Floyd) and gathers/scatters rows; torch runs PartialFC_V2.sample (rand + topk over C) and index_select; both produce a dense (C, d) centre gradient',
        'torch/ours: torch speed ÷ ours (above 1: torch is faster)',
      ],
    };
    const chart: BenchChart = {
      title: `Margin head forward+backward, d=${dim}, batch ${batchSize}`,
      unit: 'ms per forward + backward (lower is better)',
      bars: rows.flatMap((row) => row.sides.map((s) => ({
        group: `C=${row.config.classes} ${headName(row.config)}`,
        series: s.side,
        value: 1000 * s.medianSeconds,
        note: s.torchOverOurs !== null ? `(${ratio(s.torchOverOurs)} ours)` : undefined,
      }))),
    };
    return {
      suite: 'margin-head',
      title: this.title,
      status: 'ok',
      config: { backend: ctx.backend.name, torch: ctx.torch.version ?? null, classes, dim, batchSize, sampleRate: rate, ...r, torchThreads: wantTorch ? threads : [] },
      tables: [table, ...rows.flatMap((row) => (row.profile ? [profileTable(row.profile, profiling?.top ?? 0, `torch ${threads[0]} thread(s)`)] : []))],
      charts: [chart],
      data: rows,
    };
  },
};
