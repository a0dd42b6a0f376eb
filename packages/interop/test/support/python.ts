import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's interpreter with python3-torch (the pyenv python3 first on PATH has no torch). */
export const PYTHON = '/usr/bin/python3';

function probeTorch(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
}

/** Whether PyTorch can be run here; tests that need it skip, saying so, when it cannot. */
export const HAVE_TORCH = probeTorch();
export function warnNoTorch(test: string): void {
  if (!HAVE_TORCH) console.warn(`[${test}] skipped the PyTorch checks: ${PYTHON} cannot import torch (apt-get install python3-torch)`);
}

/** Runs a Python script with Debian's python3 and returns its stdout. */
export function runPython(args: readonly string[], cwd?: string): string {
  return execFileSync(PYTHON, [...args], { encoding: 'utf8', cwd, env: { ...process.env, OMP_NUM_THREADS: '1' }, maxBuffer: 64 << 20 });
}
