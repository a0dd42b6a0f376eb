/**
 * The PyTorch yardstick: finding Debian's torch, and driving the scripts in `packages/bench/python`
 * — as one-shot commands (`--json`) or as long-lived workers (`--serve`) that run N steps on
 * request, so that `fr-bench bench` can alternate its own measurements with torch's in one run.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface TorchSetup {
  readonly available: boolean;
  /** The interpreter (`$FR_TORCH_PYTHON`, else `/usr/bin/python3`, else `python3`). */
  readonly python: string;
  /** The folder holding train_step.py, margin_head.py, peak.py (null when not found). */
  readonly dir: string | null;
  readonly version?: string;
  /** Why torch cannot be used (when not available). */
  readonly reason?: string;
}

function moduleDir(): string | null {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return null; // CJS build without import.meta: fall back on the script's own path
  }
}

/** Where the python scripts are: `$FR_BENCH_PYTHON_DIR`, else `python/` next to `dist/` or `src/`. */
export function pythonScriptsDir(): string | null {
  const env = process.env.FR_BENCH_PYTHON_DIR;
  if (env) return existsSync(join(env, 'train_step.py')) ? resolve(env) : null;
  const bases = [moduleDir(), process.argv[1] ? dirname(resolve(process.argv[1])) : null].filter((b): b is string => b !== null);
  for (const base of bases) {
    for (const rel of ['../python', '../../python']) {
      const dir = resolve(base, rel);
      if (existsSync(join(dir, 'train_step.py'))) return dir;
    }
  }
  return null;
}

/** Finds python + torch (a few seconds: it imports torch once). `--no-torch` skips the search. */
export function detectTorch(disabled = false): TorchSetup {
  const python = process.env.FR_TORCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const dir = pythonScriptsDir();
  if (disabled) return { available: false, python, dir, reason: 'disabled by --no-torch' };
  if (!dir) return { available: false, python, dir, reason: 'packages/bench/python not found (set FR_BENCH_PYTHON_DIR)' };
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
  if (r.error) return { available: false, python, dir, reason: `${python}: ${r.error.message}` };
  if (r.status !== 0) {
    const last = (r.stderr ?? '').trim().split('\n').at(-1) ?? '';
    return { available: false, python, dir, reason: `${python} cannot import torch (${last}); Debian: apt-get install python3-torch libopenblas0-pthread` };
  }
  return { available: true, python, dir, version: r.stdout.trim() };
}

function threadEnv(threads: number): NodeJS.ProcessEnv {
  return { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
}

function scriptPath(setup: TorchSetup, script: string): string {
  if (!setup.available || !setup.dir) throw new Error(`PyTorch is not available: ${setup.reason ?? 'unknown reason'}`);
  return join(setup.dir, script);
}

/** Runs `script --json …` to completion and parses the JSON line it prints last. */
export async function runTorchJson<T>(setup: TorchSetup, script: string, args: readonly string[], threads: number): Promise<T> {
  const path = scriptPath(setup, script);
  const child = spawn(setup.python, [path, ...args, '--threads', String(threads), '--json'], { env: threadEnv(threads) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', res);
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`${script} ${args.join(' ')} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(last) as T;
}

/** What `TorchWorker.profile` returns: every op's self CPU time per step (ms), largest first. */
export interface TorchProfile {
  readonly ops: readonly { readonly name: string; readonly calls: number; readonly ms: number }[];
  readonly stepMs: number;
}

/**
 * A torch script in `--serve` mode: built and warmed up once, then `run(n)` times n steps and
 * returns the seconds of each. While it waits for a command it uses no CPU.
 */
export class TorchWorker {
  private readonly lines: AsyncIterator<string>;
  private stderr = '';
  private exited: string | null = null;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly label: string,
    readonly threads: number,
  ) {
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      this.exited = `exited (code ${code}, signal ${signal})`;
    });
    child.on('error', (error) => {
      this.exited = `failed: ${error.message}`;
    });
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /** What the script reported when ready: its configuration, MAC count, torch version, threads. */
  ready: Record<string, unknown> = {};

  static async start(setup: TorchSetup, script: string, args: readonly string[], threads: number): Promise<TorchWorker> {
    const path = scriptPath(setup, script);
    const child = spawn(setup.python, [path, ...args, '--threads', String(threads), '--serve'], { env: threadEnv(threads) });
    const worker = new TorchWorker(child, `torch ${threads} thread${threads === 1 ? '' : 's'}`, threads);
    const first = await worker.reply();
    if (!first.ready) throw new Error(`${script} did not start: ${JSON.stringify(first).slice(0, 200)}`);
    worker.ready = first.ready as Record<string, unknown>;
    return worker;
  }

  private async reply(): Promise<Record<string, unknown>> {
    const next = await this.lines.next();
    if (next.done) {
      await new Promise((r) => setTimeout(r, 50));
      throw new Error(`torch worker ${this.exited ?? 'closed its output'}: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    const msg = JSON.parse(next.value) as Record<string, unknown>;
    if (typeof msg.error === 'string') throw new Error(`torch worker: ${msg.error}`);
    return msg;
  }

  /** Times `steps` steps; seconds per step. */
  async run(steps: number): Promise<number[]> {
    this.child.stdin.write(`${JSON.stringify({ cmd: 'run', steps })}\n`);
    const msg = await this.reply();
    return msg.times as number[];
  }

  /** torch.profiler over `steps` steps: ops by self CPU time per step, and the step's wall time. */
  async profile(steps: number): Promise<TorchProfile> {
    this.child.stdin.write(`${JSON.stringify({ cmd: 'profile', steps })}\n`);
    const msg = await this.reply();
    return { ops: msg.ops as TorchProfile['ops'], stepMs: Number(msg.stepMs) };
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  }
}

/** Float32 GEMM (and 3x3 conv) peak of this machine through torch, in GFLOP/s. */
export interface PeakMeasurement {
  readonly threads: number;
  readonly sgemmGflops: number;
  readonly conv3x3Gflops: number | null;
  readonly source: 'measured' | 'given';
}

/** Measures the sgemm peak with `peak.py` for each thread count (sequentially). */
export async function measurePeak(setup: TorchSetup, threadCounts: readonly number[], quick: boolean): Promise<PeakMeasurement[]> {
  const out: PeakMeasurement[] = [];
  for (const threads of threadCounts) {
    const r = await runTorchJson<{ sgemm: { gflops: number }; conv3x3?: { gflops: number } }>(setup, 'peak.py', quick ? ['--reps', '10'] : ['--reps', '30'], threads);
    out.push({ threads, sgemmGflops: r.sgemm.gflops, conv3x3Gflops: r.conv3x3?.gflops ?? null, source: 'measured' });
  }
  return out;
}
