/**
 * Runs a typechecked snippet in this process: a dynamic import of its module (the test runner
 * transforms the TypeScript and resolves `@fr/*` to the workspace sources, as for any test), in a
 * fresh working directory with the fixtures it opens, then awaits the `test(...)` bodies it started.
 * In-process, one module load of tfjs and the sources serves every snippet: each costs only what it
 * does, where a child process per snippet would load them again each time.
 */
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { selectBackend } from '@fr/core';
import { settleTests } from './test-api.js';
import type { CheckedSnippet } from './typecheck.js';
import { prepareWorkdir } from './workdir.js';

export interface RunResult {
  /** Wall-clock milliseconds of the import and of the tests it started. */
  readonly milliseconds: number;
  /** How many `test(...)` bodies the snippet ran. */
  readonly tests: number;
}

/** The README position of the innermost stack frame inside the snippet's file, if any. */
function failingLine(error: unknown, checked: CheckedSnippet): string {
  let stack = '';
  for (let e: unknown = error; e instanceof Error; e = e.cause) stack += `${e.stack ?? ''}\n`; // a test() failure wraps its cause
  const file = basename(checked.file).replace(/[.]/g, '\\.');
  const frame = new RegExp(`${file}:(\\d+):(\\d+)`).exec(stack);
  const at = frame ? checked.source.locate(Number(frame[1])) : undefined;
  return at ? `${at.readme}:${at.line}:${frame?.[2]}` : checked.snippet.id;
}

/** Runs one snippet; a failure is rethrown as an error naming the README line and the cause. */
export async function runSnippet(checked: CheckedSnippet): Promise<RunResult> {
  // Each snippet starts on the test suite's backend (FR_BACKEND, else wasm: what `selectBackend()`
  // picks here); a snippet that calls `selectBackend(...)` switches for itself.
  await selectBackend(process.env.FR_BACKEND ?? 'wasm', { log: null });
  const home = process.cwd();
  const workdir = prepareWorkdir(checked.snippet.parts.map((p) => p.code).join('\n'));
  const started = performance.now();
  try {
    process.chdir(workdir);
    await import(/* @vite-ignore */ checked.file);
    const tests = await settleTests();
    return { milliseconds: performance.now() - started, tests };
  } catch (error) {
    await settleTests().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${failingLine(error, checked)}: the README snippet failed when run: ${message}`, { cause: error });
  } finally {
    process.chdir(home);
    rmSync(workdir, { recursive: true, force: true });
  }
}
