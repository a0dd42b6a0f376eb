/**
 * Runs `fr-bench bench …` in a child process with a time limit and reads the suite result it
 * writes with `--result-file` (plus its peak resident memory): for measurements that need a
 * fresh process — another wasm thread count, a clean peak-memory reading, a backend that may
 * crash or hang.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SuiteResult } from './types.js';

export interface ChildRun {
  /** The suite result the child wrote, with its peak RSS; null when it wrote none. */
  readonly result: (SuiteResult & { readonly peakRssBytes?: number }) | null;
  readonly code: number | null;
  readonly timedOut: boolean;
  /** The child's stderr (the last 1 MB of it). */
  readonly stderr: string;
}

/**
 * The running CLI script, or null when not run through it: `src/cli.ts` (the bin from sources,
 * through tsx), `dist/cli.js`, or the installed bin (`fr-bench`, `bin/fr-bench.js`).
 */
export function benchCliPath(): string | null {
  const cli = process.argv[1];
  return cli && /(^|[/\\])(cli\.[cm]?[jt]s|fr-bench(\.js)?)$/.test(cli) ? cli : null;
}

/** `fr-bench bench <args> --result-file <tmp>` in a child process (killed after `limitSeconds`). */
export async function runBenchChild(cli: string, args: readonly string[], options: { readonly env?: NodeJS.ProcessEnv; readonly limitSeconds: number }): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'fr-bench-child-'));
  const file = join(dir, 'result.json');
  try {
    // execArgv: from sources the child needs this process's loader (tsx) and conditions.
    const child = spawn(process.execPath, [...process.execArgv, cli, 'bench', ...args, '--result-file', file], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 2_000_000) stderr = stderr.slice(-1_000_000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.limitSeconds * 1000);
    const code = await new Promise<number | null>((res) => child.on('close', res));
    clearTimeout(timer);
    let result: ChildRun['result'] = null;
    try {
      result = JSON.parse(readFileSync(file, 'utf8')) as ChildRun['result'];
    } catch {
      result = null;
    }
    return { result, code, timedOut, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why a child produced no result: the time limit, or its exit code and last stderr lines. */
export function childFailure(run: ChildRun, limitFlag: string): string {
  if (run.timedOut) return `timed out (${limitFlag})`;
  return `child process exited with ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`;
}
