import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release } from 'node:os';
import { join, resolve } from 'node:path';
import { createProgress, describeBackend, selectBackend, writeFileAtomic } from '@fr/core';
import { stringFlag, UsageError, type CliCommand, type CliIo, type FlagSpec, type ParsedFlags } from '@fr/core/cli';
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
import { findChromium, svgToPng } from '../report/png.js';

const BENCH_USAGE = `fr-bench bench [--suite train-step,margin-head,scaling,loader,eval,embed,webgpu] [--quick | --full] [--out runs/bench/<time>] [--backend wasm]

Runs the benchmark suites (all by default, in this order), prints a table per suite and writes
<out>/<suite>.json, <out>/<suite>.svg, summary.json and summary.txt (--png: PNGs too, via Chromium).
PyTorch (Debian python3-torch under /usr/bin/python3, or $FR_TORCH_PYTHON) is the yardstick:
its side runs the scripts in @fr/bench's python/ folder (packages/bench/python in the
repository) in worker processes, alternated with ours.

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
               on <data>/celeba-crops (--data-dir, else $FR_DATA_DIR, else ../shared/data);
               --loader-size --loader-batches
  eval         time to evaluate celeba-crops-pairs.txt (3000 pairs) with --model <dir> or an
               untrained MobileFaceNet (--eval-size, default 112); --eval-pairs N embeds N pairs and
               extrapolates (default 100); --eval-batch (default 64)
  embed        embedding throughput (forward, eval mode) of one network three ways: @fr on --backend,
               the same model exported to ONNX in onnxruntime-node (optional peer), the same weights
               in torch CPU; threads as --threads; --embed-net mobilefacenet[,iresnet50] --embed-size
               112 --embed-batch 16 --embed-width 1
  webgpu       IResNet-50 / MobileFaceNet training step on webgpu; a software adapter (lavapipe)
               gets a smoke run ("runs on <adapter>"), never a speed; --webgpu-steps --webgpu-warmup
               --webgpu-timeout; it runs in a child fr-bench (--in-process --result-file <file>)

  (default: 3 repetitions × 2 steps per side, 100 eval pairs: about 5–6 minutes on 2 CPU cores)
  --quick      smoke run (1 step per side, C = 10k only, 20 eval pairs): about 1 minute
  --full       5 × 4 steps per side, IResNet-50 at 112×112 (batch 16) too, the whole scaling grid
               (batch 8→128, classes to 1M), all 3000 eval pairs: about an hour
  --no-torch   ours only;  --out none: write nothing;  --png: also render the charts as PNG
  --list       list the suites`;

/** Every flag of `fr-bench bench`, by suite (the usage above explains them in context). */
const BENCH_FLAGS: readonly FlagSpec[] = [
  { name: 'suite', value: '<names>', help: 'comma-separated suites (default: all)' },
  { name: 'list', help: 'list the suites and exit' },
  { name: 'quick', help: 'smoke run' },
  { name: 'full', help: 'long run' },
  { name: 'out', value: '<dir|none>', help: 'output folder (default runs/bench/<time>)' },
  { name: 'backend', value: '<name>', help: 'our side\'s backend (default $FR_BACKEND, else wasm)' },
  { name: 'no-torch', help: 'ours only' },
  { name: 'png', help: 'also render the charts as PNG' },
  { name: 'only', value: '<ours|torch>', help: 'one side alone' },
  { name: 'net', value: '<names>', help: 'train-step networks' },
  { name: 'batch', value: '<n>', help: 'train-step batch' },
  { name: 'input-size', value: '<px>', help: 'train-step input size' },
  { name: 'width', value: '<x>', help: 'train-step width multiplier' },
  { name: 'embedding', value: '<d>', help: 'train-step embedding size' },
  { name: 'classes', value: '<n>', help: 'train-step classes' },
  { name: 'steps', value: '<n>', help: 'steps per repetition' },
  { name: 'reps', value: '<n>', help: 'repetitions' },
  { name: 'warmup', value: '<n>', help: 'warm-up steps' },
  { name: 'threads', value: '<list>', help: 'torch thread counts' },
  { name: 'peak', value: '<measure|off|G1,G2>', help: 'the sgemm peak' },
  { name: 'profile', value: '<rows>', optionalValue: true, help: 'also the top kernels of a step (default 15 rows)' },
  { name: 'profile-top', value: '<rows>', help: 'profile: rows shown' },
  { name: 'profile-steps', value: '<n>', help: 'profile: steps profiled' },
  { name: 'margin-classes', value: '<list>', help: 'margin-head class counts' },
  { name: 'dim', value: '<d>', help: 'margin-head embedding size' },
  { name: 'margin-batch', value: '<n>', help: 'margin-head batch' },
  { name: 'sample-rate', value: '<r>', help: 'Partial FC sample rate' },
  { name: 'margin-heads', value: '<full,partial>', help: 'margin-head: the heads' },
  { name: 'scaling-sections', value: '<list>', help: 'scaling: batch,input,threads,classes' },
  { name: 'scaling-batches', value: '<list>', help: 'scaling: batch sizes' },
  { name: 'scaling-sizes', value: '<list>', help: 'scaling: input sizes' },
  { name: 'scaling-input-batch', value: '<n>', help: 'scaling: batch of the input-size sweep' },
  { name: 'scaling-classes', value: '<list>', help: 'scaling: class counts' },
  { name: 'scaling-steps', value: '<n>', help: 'scaling: steps per configuration' },
  { name: 'scaling-timeout', value: '<s>', help: 'scaling: time limit of each child process' },
  { name: 'loader-size', value: '<px>', help: 'loader image size' },
  { name: 'loader-batches', value: '<n>', help: 'loader batches' },
  { name: 'data-dir', value: '<dir>', help: 'the data folder (default $FR_DATA_DIR, else ../shared/data)' },
  { name: 'model', value: '<dir>', help: 'eval: a saved backbone' },
  { name: 'eval-pairs', value: '<n>', help: 'eval: pairs embedded' },
  { name: 'eval-size', value: '<px>', help: 'eval: input size of the untrained network' },
  { name: 'eval-batch', value: '<n>', help: 'eval: batch' },
  { name: 'embed-net', value: '<names>', help: 'embed: networks' },
  { name: 'embed-size', value: '<px>', help: 'embed: input size' },
  { name: 'embed-batch', value: '<n>', help: 'embed: batch' },
  { name: 'embed-width', value: '<x>', help: 'embed: width multiplier' },
  { name: 'webgpu-steps', value: '<n>', help: 'webgpu: steps' },
  { name: 'webgpu-warmup', value: '<n>', help: 'webgpu: warm-up steps' },
  { name: 'webgpu-timeout', value: '<s>', help: 'webgpu: time limit of the child process' },
  { name: 'in-process', help: 'webgpu: run in this process (used by the child)' },
  { name: 'result-file', value: '<file>', help: 'write the suite result as JSON (used by the child)' },
];

const SUITE_MAP: Readonly<Record<SuiteName, Suite>> = {
  'train-step': trainStepSuite,
  'margin-head': marginHeadSuite,
  scaling: scalingSuite,
  loader: loaderSuite,
  eval: evalSuite,
  embed: embedSuite,
  webgpu: webgpuSuite,
};

function selectedSuites(args: ParsedFlags): SuiteName[] {
  const given = stringFlag(args, 'suite') ?? SUITES.join(',');
  const names = given.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!SUITES.includes(n as SuiteName)) throw new UsageError(`unknown suite "${n}"; expected: ${SUITES.join(', ')}`);
  return SUITES.filter((s) => names.includes(s));
}

function timestamp(): string {
  return new Date().toISOString().replace(/\..*$/, '').replace(/:/g, '-');
}

function gitCommit(): string | null {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** `fr-bench bench`: run the benchmark suites. */
async function bench(args: ParsedFlags, io: CliIo): Promise<void> {
  const out = (line: string): void => void io.stdout.write(`${line}\n`);
  if (args.flags.has('list')) {
    out(SUITES.join('\n'));
    return;
  }
  const suites = selectedSuites(args);
  const quick = args.flags.has('quick');
  const full = args.flags.has('full');
  if (quick && full) throw new UsageError('--quick and --full exclude each other');
  const resultFile = args.flags.get('result-file');
  const only = args.flags.get('only');
  const outFlag = args.flags.get('out');
  const outDir = typeof resultFile === 'string' || outFlag === 'none' || (only !== undefined && outFlag === undefined)
    ? null
    : resolve(typeof outFlag === 'string' ? outFlag : join('runs', 'bench', timestamp()));
  // Suites report phases ("rep 2/3 ours step 1/2"), not counts: a status line, rewritten on a TTY.
  const bar = createProgress(io.stderr, { label: 'bench', everySeconds: 30 });
  const print = (line: string): void => {
    bar.clear();
    out(line);
  };

  const needsTorch = only !== 'ours' && suites.some((s) => s === 'train-step' || s === 'margin-head' || s === 'scaling' || s === 'embed' || s === 'webgpu');
  const backendChoice = stringFlag(args, 'backend') ?? process.env.FR_BACKEND ?? 'wasm';
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
    const ctx: BenchContext = { args, quick, full, backend, torch, results, outDir, out: print, progress: (text) => bar.status(text) };
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

/** `fr-bench bench`. */
export const benchCommand: CliCommand = { usage: BENCH_USAGE, flags: BENCH_FLAGS, run: bench };
