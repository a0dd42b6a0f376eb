/**
 * Runs the jobs: one at a time in this process (`jobs` 1), or `jobs` at a time in child processes.
 * The cores are shared out: each child's wasm backend gets `cores / jobs` threads (at least one)
 * unless `FR_WASM_THREADS` is set, because two runs on one thread each keep 2 cores busier than one
 * run on two (tfjs' element-wise kernels stay single-threaded). A failed run does not stop the
 * others; it is reported with the end of its log.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from './plan.js';
import { RESULT_FILE, runJob, type RunResult } from './run-job.js';

/** A run that did not produce a result. */
export interface FailedJob {
  readonly job: Job;
  readonly error: string;
}

export interface ScheduleOptions {
  /** Runs at a time (1: in this process). */
  readonly jobs: number;
  readonly onStart?: (job: Job) => void;
  readonly onDone?: (job: Job, result: RunResult) => void;
  readonly onFail?: (failed: FailedJob) => void;
}

const CHILD = fileURLToPath(new URL('./job-process.ts', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));
/** The comparison runs from the TypeScript sources: workspace packages by their `@fr/source` export, through tsx. */
const CHILD_ARGS = ['--conditions=@fr/source', '--import', 'tsx', CHILD];

function logTail(job: Job, lines = 15): string {
  const path = join(job.dir, 'console.log');
  return existsSync(path) ? readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
}

/** Runs one job in a child process (from the repository root, where tsx resolves). */
function runInChild(job: Job, threads: number): Promise<RunResult> {
  const jobFile = join(job.dir, 'job.json');
  mkdirSync(job.dir, { recursive: true });
  writeFileSync(jobFile, `${JSON.stringify(job, null, 2)}\n`);
  return new Promise((resolve, reject) => {
    let stderr = '';
    const child = spawn(process.execPath, [...CHILD_ARGS, jobFile], {
      cwd: REPO_DIR,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FR_WASM_THREADS: process.env.FR_WASM_THREADS ?? String(threads) },
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(JSON.parse(readFileSync(join(job.dir, RESULT_FILE), 'utf8')) as RunResult);
      else reject(new Error(`exit ${code ?? signal}: ${stderr.trim() || logTail(job)}`));
    });
  });
}

/** Runs every job; returns the results in job order and the failures. */
export async function runJobs(jobs: readonly Job[], options: ScheduleOptions): Promise<{ results: RunResult[]; failed: FailedJob[] }> {
  if (!Number.isInteger(options.jobs) || options.jobs < 1) throw new Error(`jobs must be a positive integer, got ${options.jobs}`);
  const results = new Map<Job, RunResult>();
  const failed: FailedJob[] = [];
  let next = 0;
  const threadsPerChild = Math.max(1, Math.floor(availableParallelism() / options.jobs));
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++] as Job;
      options.onStart?.(job);
      try {
        const result = options.jobs === 1 ? await runJob(job) : await runInChild(job, threadsPerChild);
        results.set(job, result);
        options.onDone?.(job, result);
      } catch (error) {
        const f = { job, error: `${(error as Error).message}\n${logTail(job, 5)}` };
        failed.push(f);
        options.onFail?.(f);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, jobs.length) }, worker));
  return { results: jobs.filter((j) => results.has(j)).map((j) => results.get(j) as RunResult), failed };
}
