import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release } from 'node:os';
import { join, resolve } from 'node:path';
import { describeBackend, selectBackend } from '@fr/core';
import { embedSuite } from '../benchmarks/embed.js';
import { evalSuite } from '../benchmarks/eval.js';
import { loaderSuite } from '../benchmarks/loader.js';
import { marginHeadSuite } from '../benchmarks/margin-head.js';
import { scalingSuite } from '../benchmarks/scaling.js';
import { suiteText, writeSuite, writeSummary } from '../benchmarks/output.js';
import { detectTorch, type TorchSetup } from '../benchmarks/torch.js';
import { trainStepSuite } from '../benchmarks/train-step.js';
import { SUITES, type BenchContext, type Suite, type SuiteName, type SuiteResult } from '../benchmarks/types.js';
import { webgpuSuite } from '../benchmarks/webgpu.js';
import { writeFileAtomic } from '@fr/core';
import { findChromium, svgToPng } from '../report/png.js';
import { flag, type ParsedArgs } from './args.js';

export const benchUsage = `fr-bench bench [--suite train-step,margin-head,scaling,loader,eval,embed,webgpu] [--quick | --full] [--out runs/bench/<time>] [--backend wasm]

Runs the benchmark suites (all by default, in this order), prints a table per suite and writes
<out>/<suite>.json, <out>/<suite>.svg, summary.json and summary.txt (--png: PNGs too, via Chromium).
PyTorch (Debian python3-torch under /usr/bin/python3, or $FR_TORCH_PYTHON) is the yardstick:
its side runs packages/bench/python/*.py in worker processes, alternated with ours.

  train-step   images/s of a whole training step (backbone + full FC + ArcFace + SGD) on --backend
               vs the same network in torch CPU (2 and 1 threads), GFLOP/s and % of the sgemm peak
               --net iresnet18,mobilefacenet  --batch --input-size --width --embedding --classes
               --only ours|torch (one side alone: for timing whole processes, see python/README.md)
               --profile [rows]: also the top kernels of a step, ours next to torch's profiler
               --steps N (per repetition) --reps R --warmup W --threads 2,1 --peak measure|off|G1,G2
  margin-head  cosine + ArcFace + CE forward+backward, full FC vs Partial FC 0.1, ours vs torch
               --margin-classes 10000,100000 --dim 512 --margin-batch 64 --sample-rate 0.1
               --margin-heads full,partial
  scaling      time and peak RSS against batch (8→128), input size (56→112), threads (1→N) and
               classes (10k→1M, --full), one process per configuration, alternating ours and torch;
               memory per image from the batch sweep; line charts
               --scaling-sections batch,input,threads,classes  --scaling-batches 8,16,…
               --scaling-sizes 56,112  --scaling-classes 10000,100000  --scaling-steps N
  loader       @fr/data loader img/s (in-thread, prefetch workers) vs train-step's demand
               on $FR_DATA_DIR/celeba-crops (default ../shared/data); --loader-size --loader-batches
  eval         time to evaluate celeba-crops-pairs.txt (3000 pairs) with --model <dir> or an
               untrained MobileFaceNet; --eval-pairs N embeds N pairs and extrapolates (default 100)
  embed        embedding throughput (forward, eval mode) of one network three ways: @fr on --backend,
               the same model exported to ONNX in onnxruntime-node (optional peer), the same weights
               in torch CPU; threads as --threads; --embed-net mobilefacenet[,iresnet50] --embed-size
               112 --embed-batch 16 --embed-width 1
  webgpu       IResNet-50 / MobileFaceNet training step on webgpu; a software adapter (lavapipe)
               gets a smoke run ("runs on <adapter>"), never a speed; --webgpu-steps --webgpu-timeout

  (default: 3 repetitions × 2 steps per side, 100 eval pairs: about 5–6 minutes on 2 CPU cores)
  --quick      smoke run (1 step per side, C = 10k only, 20 eval pairs): about 1 minute
  --full       5 × 4 steps per side, IResNet-50 at 112×112 (batch 16) too, the whole scaling grid
               (batch 8→128, classes to 1M), all 3000 eval pairs: about an hour
  --no-torch   ours only;  --out none: write nothing;  --png: also render the charts as PNG`;

const SUITE_MAP: Readonly<Record<SuiteName, Suite>> = {
  'train-step': trainStepSuite,
  'margin-head': marginHeadSuite,
  scaling: scalingSuite,
  loader: loaderSuite,
  eval: evalSuite,
  embed: embedSuite,
  webgpu: webgpuSuite,
};

function selectedSuites(args: ParsedArgs): SuiteName[] {
  const given = flag(args, 'suite', SUITES.join(','));
  const names = given.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!SUITES.includes(n as SuiteName)) throw new Error(`unknown suite "${n}"; expected: ${SUITES.join(', ')}`);
  return SUITES.filter((s) => names.includes(s));
}

function timestamp(): string {
  return new Date().toISOString().replace(/\..*$/, '').replace(/:/g, '-');
}

function gitCommit(): string | null {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Progress on a TTY: one line on stderr, rewritten in place; `clear` before printing results. */
function progressLine(): { show: (text: string) => void; clear: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  let shown = false;
  const started = Date.now();
  return {
    show(text) {
      if (!tty) return;
      const cols = process.stderr.columns >= 40 ? process.stderr.columns : 120;
      const line = `[${((Date.now() - started) / 1000).toFixed(0)} s] ${text}`;
      process.stderr.write(`\r\x1b[K${line.slice(0, cols - 1)}`);
      shown = true;
    },
    clear() {
      if (tty && shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** `fr-bench bench`: run the benchmark suites. */
export async function benchCommand(args: ParsedArgs, out: (line: string) => void): Promise<void> {
  if (args.flags.has('list')) {
    out(SUITES.join('\n'));
    return;
  }
  const suites = selectedSuites(args);
  const quick = args.flags.has('quick');
  const full = args.flags.has('full');
  if (quick && full) throw new Error('--quick and --full exclude each other');
  const resultFile = args.flags.get('result-file');
  const only = args.flags.get('only');
  const outFlag = args.flags.get('out');
  const outDir = typeof resultFile === 'string' || outFlag === 'none' || (only !== undefined && outFlag === undefined)
    ? null
    : resolve(typeof outFlag === 'string' ? outFlag : join('runs', 'bench', timestamp()));
  const bar = progressLine();
  const print = (line: string): void => {
    bar.clear();
    out(line);
  };

  const needsTorch = only !== 'ours' && suites.some((s) => s === 'train-step' || s === 'margin-head' || s === 'scaling' || s === 'embed' || s === 'webgpu');
  const backendChoice = flag(args, 'backend', process.env.FR_BACKEND ?? 'wasm');
  const backend = await selectBackend(backendChoice, { log: null });
  const torch: TorchSetup = needsTorch ? detectTorch(args.flags.has('no-torch')) : { available: false, python: '', dir: null, reason: 'not needed by these suites' };
  const environment: Record<string, unknown> = {
    date: new Date().toISOString(),
    command: `fr-bench bench ${process.argv.slice(3).join(' ')}`.trim(),
    mode: quick ? 'quick' : full ? 'full' : 'default',
    node: process.version,
    os: `${platform()} ${release()}`,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    backend: describeBackend(backend),
    torch: torch.available ? `${torch.version} (${torch.python})` : `not used: ${torch.reason}`,
    commit: gitCommit(),
  };
  if (typeof resultFile !== 'string') {
    print(`fr-bench bench (${environment.mode}): ${suites.join(', ')}`);
    print(`${environment.backend}; torch ${environment.torch}; ${environment.cpu}; load ${(environment.loadAverageAtStart as number[]).join(' ')}`);
    if (outDir) print(`results → ${outDir}`);
  }

  const results = new Map<SuiteName, SuiteResult>();
  const crashed: string[] = [];
  const files: string[] = [];
  for (const name of suites) {
    const suite = SUITE_MAP[name];
    const ctx: BenchContext = { args, quick, full, backend, torch, results, outDir, out: print, progress: bar.show };
    const started = Date.now();
    let result: SuiteResult;
    try {
      result = await suite.run(ctx);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      crashed.push(`${name}: ${message}`);
      result = { suite: name, title: suite.title, status: 'failed', reason: message, config: {}, tables: [], charts: [], data: null };
    }
    result = { ...result, seconds: (Date.now() - started) / 1000 };
    results.set(name, result);
    if (typeof resultFile === 'string') {
      // The child's peak resident memory (maxRSS is in KiB): the scaling suite runs one
      // configuration per child process to read it.
      await writeFileAtomic(resultFile, JSON.stringify({ ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
      continue;
    }
    print('');
    for (const line of suiteText(result)) print(line);
    if (outDir) files.push(...(await writeSuite(outDir, result)));
  }
  bar.clear();
  if (outDir && typeof resultFile !== 'string') {
    environment.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
    files.push(...(await writeSummary(outDir, environment, [...results.values()])));
    if (args.flags.has('png')) files.push(...(await renderPngs(files, print)));
    print('');
    print(`wrote ${files.length} files to ${outDir} (summary.txt, summary.json, <suite>.json, <suite>.svg)`);
  }
  if (crashed.length > 0) throw new Error(`${crashed.length} suite(s) crashed: ${crashed.join('; ')}`);
}

async function renderPngs(files: readonly string[], print: (line: string) => void): Promise<string[]> {
  const chromium = findChromium();
  if (!chromium) {
    print('png: skipped (no Chromium: set FR_CHROMIUM_PATH)');
    return [];
  }
  const svgs = files.filter((f) => f.endsWith('.svg'));
  const pngs = await svgToPng(await Promise.all(svgs.map((f) => readFile(f, 'utf8'))), { executablePath: chromium });
  const written: string[] = [];
  for (const [i, png] of pngs.entries()) {
    const path = (svgs[i] as string).replace(/\.svg$/, '.png');
    await writeFileAtomic(path, png);
    written.push(path);
  }
  return written;
}
