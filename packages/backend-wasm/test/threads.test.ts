/**
 * tfjs-backend-wasm's threaded build under Node (the worker shim in src/node-threads.ts, and the
 * worker threads of @fr's own kernels in src/kernels/simd/pool.ts),
 * in child processes: the pool gets the requested size, results match one thread, and the process
 * exits by itself. The thread count's configuration (option, FR_WASM_THREADS, core count) too.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../src/provider.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/threads-child.ts', import.meta.url));

function runChild(threads: number): Promise<{ threads: number; sums: number[]; ms: number }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    // A hang (the pool keeping Node alive) shows up as this timeout.
    // The workspace packages from their sources (the @fr/source export condition), under tsx.
    execFile(process.execPath, ['--conditions=@fr/source', '--import', 'tsx', script, String(threads)], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`child with ${threads} thread(s) failed (exit ${String(error.code ?? error.signal)}): ${stderr.slice(-600)}`));
      resolve({ ...(JSON.parse(stdout.trim().split('\n').pop()!) as { threads: number; sums: number[] }), ms: Date.now() - start });
    });
  });
}

describe('wasm threads in Node', () => {
  test('2 threads start, compute what 1 thread computes, and the process exits by itself', async () => {
    const one = await runChild(1);
    const two = await runChild(2);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    two.sums.forEach((s, i) => expect(Math.abs(s - one.sums[i]!) / Math.abs(one.sums[i]!)).toBeLessThan(1e-5));
  });
});

describe('wasm thread count', () => {
  const saved = process.env.FR_WASM_THREADS;
  afterEach(() => {
    if (saved === undefined) delete process.env.FR_WASM_THREADS;
    else process.env.FR_WASM_THREADS = saved;
  });

  test('the option wins, then FR_WASM_THREADS, then the core count', async () => {
    process.env.FR_WASM_THREADS = '3';
    expect(await wasmThreadCount(1)).toBe(1);
    expect(await wasmThreadCount(undefined)).toBe(3);
    delete process.env.FR_WASM_THREADS;
    const { availableParallelism } = await import('node:os');
    expect(await wasmThreadCount(undefined)).toBe(availableParallelism());
  });

  test('a value that is not a positive integer is refused, naming where it came from', async () => {
    process.env.FR_WASM_THREADS = 'two';
    await expect(wasmThreadCount(undefined)).rejects.toThrow(/FR_WASM_THREADS="two" must be a positive integer/);
    await expect(wasmThreadCount(0)).rejects.toThrow(/the threads option must be a positive integer, got 0/);
  });
});
