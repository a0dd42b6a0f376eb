/**
 * Suite `embed`: embedding throughput (the backbone's forward pass in evaluation mode, what
 * serving and evaluation pay) of one network three ways — @fr on tfjs (the bench backend, wasm by
 * default), the same model exported to ONNX in onnxruntime-node, and the same weights in PyTorch
 * CPU (python/embed.py) — alternated in one run, with a probe batch first to check that all three
 * compute the same function.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embed, createBackbone } from '@fr/backbones';
import { Rng, tf, type Backbone } from '@fr/core';
import { backboneToStateDict, createOnnxEmbedder, exportOnnx, loadOnnxRuntime, writeSafetensors, type OnnxEmbedder } from '@fr/interop';
import { numberFlag, stringFlag } from '@fr/core/cli';
import { fmt, median, ratio } from './stats.js';
import { TorchWorker } from './torch.js';
import { ourThreads, repetitions, torchThreads } from './train-step.js';
import type { BenchChart, BenchContext, BenchTable, Suite, SuiteResult } from './types.js';

export interface EmbedConfig {
  readonly net: string;
  readonly inputSize: number;
  readonly widthMultiplier: number;
  readonly embeddingSize: number;
  readonly batchSize: number;
}

const PROBE_IMAGES = 2;

/** NCHW probe pixels (i·7919 mod 255)/127.5 − 1 over the flat index (python/embed.py's `probe_batch`). */
export function probeBatchNCHW(size: number): Float32Array {
  const out = new Float32Array(PROBE_IMAGES * 3 * size * size);
  for (let i = 0; i < out.length; i++) out[i] = ((i * 7919) % 255) / 127.5 - 1;
  return out;
}

/** max |a − b| of row-wise L2-normalised embeddings. */
export function normalizedMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>, width: number): number {
  let worst = 0;
  for (let r = 0; r * width < a.length; r++) {
    let na = 0;
    let nb = 0;
    for (let i = 0; i < width; i++) {
      na += (a[r * width + i] as number) ** 2;
      nb += (b[r * width + i] as number) ** 2;
    }
    for (let i = 0; i < width; i++) worst = Math.max(worst, Math.abs((a[r * width + i] as number) / Math.sqrt(na) - (b[r * width + i] as number) / Math.sqrt(nb)));
  }
  return worst;
}

interface Side {
  readonly side: string;
  readonly runtime: 'tfjs' | 'onnxruntime' | 'torch';
  readonly threads: number | null;
  readonly times: number[];
  readonly medianSeconds: number;
  readonly imagesPerSecond: number;
}

interface NetResult {
  readonly config: EmbedConfig;
  readonly sides: Side[];
  /** Probe embeddings' max |Δ| against ours, per other side. */
  readonly agreement: Record<string, number>;
  readonly notes: string[];
}

function ourEmbedder(backbone: Backbone, c: EmbedConfig, seed: number): { step(): Promise<number>; dispose(): void } {
  const x = tf.tensor4d(Rng.fromSeed(seed).fillUniform(new Float32Array(c.batchSize * c.inputSize * c.inputSize * 3), -1, 1), [c.batchSize, c.inputSize, c.inputSize, 3]);
  return {
    async step() {
      const start = performance.now();
      const e = embed(backbone, x);
      await e.data();
      e.dispose();
      return (performance.now() - start) / 1000;
    },
    dispose: () => x.dispose(),
  };
}

async function runNet(ctx: BenchContext, c: EmbedConfig, dir: string): Promise<NetResult> {
  const only = stringFlag(ctx.args, 'only') ?? 'both';
  const r = repetitions(ctx, only !== 'both');
  const threads = torchThreads(ctx);
  const notes: string[] = [];
  const tag = `${c.net} ${c.inputSize}×${c.inputSize}`;
  const backbone = createBackbone(c.net, { inputSize: c.inputSize, widthMultiplier: c.widthMultiplier, embeddingSize: c.embeddingSize }, { rng: Rng.fromSeed(11) });
  const workers: TorchWorker[] = [];
  const sessions: { threads: number; session: OnnxEmbedder }[] = [];
  const ours = ourEmbedder(backbone, c, 5);
  try {
    // The same weights on every side: ONNX exported from this backbone, torch loads its state dict.
    const onnxAvailable = await loadOnnxRuntime().then(() => true, (error: unknown) => {
      notes.push(`onnxruntime-node skipped: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    });
    if (onnxAvailable && only !== 'ours') {
      const model = exportOnnx(backbone);
      for (const t of threads) sessions.push({ threads: t, session: await createOnnxEmbedder(model, { inputSize: c.inputSize, threads: t }) });
    }
    if (ctx.torch.available && only !== 'ours') {
      const weights = join(dir, `${c.net}.safetensors`);
      writeFileSync(weights, writeSafetensors(backboneToStateDict(backbone)));
      for (const t of threads) {
        ctx.progress(`${tag}: starting torch (${t} thread${t === 1 ? '' : 's'})`);
        workers.push(await TorchWorker.start(ctx.torch, 'embed.py', ['--net', c.net, '--input-size', String(c.inputSize), '--width', String(c.widthMultiplier), '--embedding', String(c.embeddingSize), '--batch', String(c.batchSize), '--weights', weights, '--warmup', String(r.warmup)], t));
      }
    } else if (!ctx.torch.available) notes.push(`PyTorch skipped: ${ctx.torch.reason ?? 'not available'}`);

    // Same function first: the probe batch through all three.
    const probe = probeBatchNCHW(c.inputSize);
    const oursProbe = tf.tidy(() => embed(backbone, tf.transpose(tf.tensor4d(probe, [PROBE_IMAGES, 3, c.inputSize, c.inputSize]), [0, 2, 3, 1]) as tf.Tensor4D).dataSync());
    const agreement: Record<string, number> = {};
    if (sessions[0]) agreement.onnxruntime = normalizedMaxDiff(await sessions[0].session.embed(probe, PROBE_IMAGES), oursProbe, c.embeddingSize);
    if (workers[0]) agreement.torch = normalizedMaxDiff(workers[0].ready.probe as number[], oursProbe, c.embeddingSize);
    for (const [side, diff] of Object.entries(agreement)) {
      if (!(diff <= 1e-3)) throw new Error(`${tag}: ${side} computes another function than ours (probe embeddings differ by ${diff})`);
    }

    const oursName = `tfjs-${ctx.backend.name}`;
    const times = new Map<string, number[]>();
    const input = Rng.fromSeed(6).fillUniform(new Float32Array(c.batchSize * 3 * c.inputSize * c.inputSize), -1, 1);
    if (only !== 'torch') {
      times.set(oursName, []);
      for (let i = 0; i < r.warmup; i++) {
        ctx.progress(`${tag}: ours warm-up ${i + 1}/${r.warmup}`);
        await ours.step();
      }
    }
    const ortName = (t: number) => `onnxruntime-node ${t} thread${t === 1 ? '' : 's'}`;
    for (const s of sessions) {
      times.set(ortName(s.threads), []);
      for (let i = 0; i < r.warmup; i++) await s.session.embed(input, c.batchSize);
    }
    for (const w of workers) times.set(w.label, []);
    for (let rep = 0; rep < r.reps; rep++) {
      for (let i = 0; i < r.steps && only !== 'torch'; i++) {
        ctx.progress(`${tag}: rep ${rep + 1}/${r.reps} ours ${i + 1}/${r.steps}`);
        (times.get(oursName) as number[]).push(await ours.step());
      }
      for (const s of sessions) {
        ctx.progress(`${tag}: rep ${rep + 1}/${r.reps} ${ortName(s.threads)}`);
        for (let i = 0; i < r.steps; i++) {
          const start = performance.now();
          await s.session.embed(input, c.batchSize);
          (times.get(ortName(s.threads)) as number[]).push((performance.now() - start) / 1000);
        }
      }
      for (const w of workers) {
        ctx.progress(`${tag}: rep ${rep + 1}/${r.reps} ${w.label}`);
        (times.get(w.label) as number[]).push(...(await w.run(r.steps)));
      }
    }
    const sides: Side[] = [...times].map(([side, ts]) => {
      const med = median(ts);
      const runtime = side === oursName ? 'tfjs' : side.startsWith('onnxruntime') ? 'onnxruntime' : 'torch';
      const t = runtime === 'tfjs' ? ourThreads(ctx) : runtime === 'onnxruntime' ? (sessions.find((s) => ortName(s.threads) === side)?.threads ?? null) : (workers.find((w) => w.label === side)?.threads ?? null);
      return { side, runtime, threads: t, times: ts, medianSeconds: med, imagesPerSecond: c.batchSize / med };
    });
    return { config: c, sides, agreement, notes };
  } finally {
    for (const w of workers) await w.close();
    for (const s of sessions) await s.session.release();
    ours.dispose();
    backbone.module.dispose();
  }
}

export const embedSuite: Suite = {
  name: 'embed',
  title: 'embedding throughput: @fr on tfjs vs the same model in onnxruntime-node vs PyTorch CPU',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const nets = (stringFlag(ctx.args, 'embed-net') ?? (ctx.full ? 'mobilefacenet,iresnet50' : 'mobilefacenet')).split(',').map((s) => s.trim());
    const inputSize = numberFlag(ctx.args, 'embed-size', { integer: true, min: 1 }) ?? 112;
    const batchSize = numberFlag(ctx.args, 'embed-batch', { integer: true, min: 1 }) ?? (ctx.quick ? 4 : 16);
    const widthMultiplier = numberFlag(ctx.args, 'embed-width', { min: 0 }) ?? 1;
    const dir = mkdtempSync(join(tmpdir(), 'fr-bench-embed-'));
    const results: NetResult[] = [];
    try {
      for (const net of nets) results.push(await runNet(ctx, { net, inputSize, widthMultiplier, embeddingSize: 512, batchSize }, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const r = repetitions(ctx, (stringFlag(ctx.args, 'only') ?? 'both') !== 'both');
    const table: BenchTable = {
      title: `Embedding throughput (forward, eval mode), batch ${batchSize}, ${inputSize}×${inputSize}, 512-d — median of ${r.reps}×${r.steps} batches after ${r.warmup} warm-up`,
      columns: ['net', 'side', 'threads', 'ms/batch', 'img/s', 'vs tfjs', 'vs torch (same threads)'],
      rows: results.flatMap((net) => {
        const ours = net.sides.find((s) => s.runtime === 'tfjs');
        return net.sides.map((s) => {
          const torch = net.sides.find((t) => t.runtime === 'torch' && t.threads === s.threads);
          return [
            net.config.net, s.side, s.threads === null ? 'gpu' : String(s.threads), fmt(1000 * s.medianSeconds), fmt(s.imagesPerSecond),
            ratio(ours ? s.imagesPerSecond / ours.imagesPerSecond : null), ratio(torch && s !== torch ? s.imagesPerSecond / torch.imagesPerSecond : null),
          ];
        });
      }),
      notes: [
        'vs tfjs: this side\'s images/s ÷ @fr on tfjs (above 1: faster than ours); vs torch: ÷ PyTorch with the same thread count',
        'the same weights everywhere: ONNX exported from the @fr backbone (fr-export), torch loads its state dict (load_state_dict strict)',
        ...results.map((n) => `${n.config.net}: probe embeddings agree with ours within ${Object.entries(n.agreement).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ') || '(nothing to compare)'} (max |Δ| after L2-normalisation)`),
        ...results.flatMap((n) => n.notes),
      ],
    };
    const chart: BenchChart = {
      title: `Embedding throughput, batch ${batchSize}, ${inputSize}×${inputSize}`,
      unit: 'images/s (higher is better)',
      bars: results.flatMap((n) => {
        const ours = n.sides.find((s) => s.runtime === 'tfjs');
        return n.sides.map((s) => ({ group: n.config.net, series: s.side, value: s.imagesPerSecond, note: ours && s !== ours ? `(${ratio(s.imagesPerSecond / ours.imagesPerSecond)} tfjs)` : undefined }));
      }),
    };
    return {
      suite: 'embed',
      title: this.title,
      status: 'ok',
      config: { backend: ctx.backend.name, torch: ctx.torch.version ?? null, nets, inputSize, batchSize, widthMultiplier, ...r },
      tables: [table],
      charts: [chart],
      data: results,
    };
  },
};
