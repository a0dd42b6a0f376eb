/**
 * The machinery of the pack-and-install test: workspace packages built with their own tsup
 * configs into a temp folder, packed with `npm pack` exactly as they would be published, and
 * installed into temp consumers from the npm cache.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const ENV = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

/** Runs a command to completion; its stdout (throws with stderr on a non-zero exit). */
export const run = (command: string, args: readonly string[], cwd: string): string =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: ENV });

/** {@link run} without blocking the event loop (builds and installs run side by side). */
export const runAsync = async (command: string, args: readonly string[], cwd: string): Promise<string> =>
  (await promisify(execFile)(command, args, { cwd, encoding: 'utf8', env: ENV, maxBuffer: 64 * 1024 * 1024 })).stdout;

/** Module specifiers a file loads: static imports and re-exports, `require("x")`, `import("x")` with a literal (comments ignored). */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** What `npm pack` ships besides `dist`: the top folder or file of each `files` entry (`python/*.py` → `python`). */
function shippedSources(manifest: { files?: readonly string[] }): string[] {
  return [...new Set((manifest.files ?? []).map((f) => f.split('/')[0] as string).filter((f) => f !== 'dist'))];
}

/**
 * Builds workspace package `packages/<name>` with its tsup config into `<work>/<name>/dist`
 * next to copies of what else it ships (package.json, README, LICENSE, bins…), packs it with
 * `npm pack`, and returns the tarball's path. `dts: false` skips the declarations (seconds
 * saved), for packages whose types a test does not read.
 */
export async function buildAndPack(work: string, name: string, options: { readonly dts?: boolean } = {}): Promise<string> {
  const source = join(REPO_ROOT, 'packages', name);
  const target = join(work, name);
  mkdirSync(target, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { files?: string[] };
  for (const entry of ['package.json', ...shippedSources(manifest)]) {
    if (existsSync(join(source, entry))) cpSync(join(source, entry), join(target, entry), { recursive: true });
  }
  const tsup = join(REPO_ROOT, 'node_modules/tsup/dist/cli-default.js');
  await runAsync(process.execPath, [tsup, '--out-dir', join(target, 'dist'), '--silent', ...(options.dts === false ? ['--no-dts'] : [])], source);
  const packed = (await runAsync('npm', ['pack', '--silent', '--pack-destination', work], target)).trim().split('\n').pop() as string;
  return join(work, packed);
}

/**
 * Installs `specs` (tarballs, registry names) into a new consumer folder from the npm cache
 * (`--offline`; `--prefer-offline`, which may ask the registry, only when the cache lacks something).
 */
export async function installInto(dir: string, specs: readonly string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fr-consumer', private: true, version: '0.0.0' }));
  const install = (mode: string): Promise<string> => runAsync('npm', ['install', mode, '--ignore-scripts', '--no-package-lock', ...specs], dir);
  await install('--offline').catch(() => install('--prefer-offline'));
}

/**
 * Runs `tasks` with at most `limit` at a time (builds are CPU-bound: more than the machine's
 * cores only adds contention); results in the order of `tasks`.
 */
export async function limited<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
