/**
 * @fr/core depends on tfjs-core only: its built files import no backend, and a consumer that
 * installs only @fr/core + @tensorflow/tfjs-core gets no backend package, can use the library
 * (ESM and CommonJS), and is told what to install when it asks for a backend. A consumer that
 * also installs @fr/backend-wasm gets it loaded by `selectBackend` at run time, without importing
 * it (the import other tests make from sources, here from the built, installed packages).
 *
 * Builds @fr/core, @fr/backend-cpu and @fr/backend-wasm with their own tsup configs into a temp
 * folder (the backends without d.ts, which would need core's built types), packs them with
 * `npm pack`, and installs the tarballs into two temp consumers from the npm cache (`--offline`;
 * `--prefer-offline`, which may ask the registry, only when the cache lacks something).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const coreDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(coreDir, '../..');
const work = mkdtempSync(join(tmpdir(), 'fr-core-packaging-'));
const stage = join(work, 'core');
const consumer = join(work, 'consumer');
const withWasm = join(work, 'consumer-with-wasm');

/** A backend: the @fr backend packages, tfjs' backend packages, tfjs-node(-gpu), Dawn's bindings. */
const BACKEND = /^(@fr\/backend-|@tensorflow\/tfjs-backend-|@tensorflow\/tfjs-node)|^webgpu$/;

/** Module specifiers a file loads: static imports and re-exports, `require("x")`, `import("x")` with a literal (comments ignored). */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

const ENV = { ...process.env, npm_config_update_notifier: 'false' };
const run = (command: string, args: string[], cwd: string): string =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
const runAsync = async (command: string, args: string[], cwd: string): Promise<string> =>
  (await promisify(execFile)(command, args, { cwd, encoding: 'utf8', env: ENV })).stdout;

/** Builds workspace package `name` with its tsup config into `<work>/<name>/dist`, packs it, and returns the tarball's path. */
async function buildAndPack(name: string, extraTsupArgs: string[] = []): Promise<string> {
  const source = join(repoRoot, 'packages', name);
  const target = join(work, name);
  mkdirSync(target, { recursive: true });
  for (const file of ['package.json', 'README.md']) copyFileSync(join(source, file), join(target, file));
  await runAsync(process.execPath, [join(repoRoot, 'node_modules/tsup/dist/cli-default.js'), '--out-dir', join(target, 'dist'), '--silent', ...extraTsupArgs], source);
  return join(work, (await runAsync('npm', ['pack', '--silent', '--pack-destination', work], target)).trim().split('\n').pop()!);
}

/** Installs the specs into a new consumer folder from the npm cache. */
async function installInto(dir: string, specs: string[]): Promise<void> {
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fr-consumer', private: true, version: '0.0.0' }));
  const install = (mode: string): Promise<string> => runAsync('npm', ['install', mode, '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...specs], dir);
  await install('--offline').catch(() => install('--prefer-offline'));
}

beforeAll(async () => {
  const [core, cpu, wasm] = await Promise.all([buildAndPack('core'), buildAndPack('backend-cpu', ['--no-dts']), buildAndPack('backend-wasm', ['--no-dts'])]);
  await Promise.all([
    installInto(consumer, [core, '@tensorflow/tfjs-core@4.22.0']),
    installInto(withWasm, [core, cpu, wasm, '@tensorflow/tfjs-core@4.22.0']),
  ]);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('@fr/core without any backend', () => {
  test('the import scan finds static, require and literal dynamic imports, and ignores comments and run-time specifiers', () => {
    const sample = `/* import "@fr/backend-x" */ const pkg = "@fr/backend-wasm"; import(pkg);
      import "@fr/backend-cpu"; const w = require("@tensorflow/tfjs-backend-wasm"); export * from "@fr/backend-webgpu"; import("webgpu");`;
    expect(importsOf(sample).filter((s) => BACKEND.test(s))).toEqual(['@fr/backend-cpu', '@tensorflow/tfjs-backend-wasm', '@fr/backend-webgpu', 'webgpu']);
  });

  test('its built files (ESM, CJS, d.ts) import no backend; the backend package names appear only as run-time strings', () => {
    const files = readdirSync(join(stage, 'dist')).filter((f) => /\.(js|cjs|d\.ts|d\.cts)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.cjs', 'index.d.ts', 'testing.js', 'testing.cjs']));
    const found = files.flatMap((f) => importsOf(readFileSync(join(stage, 'dist', f), 'utf8')).filter((s) => BACKEND.test(s)).map((s) => `${f}: ${s}`));
    expect(found).toEqual([]);
    const code = files.filter((f) => /\.c?js$/.test(f)).map((f) => readFileSync(join(stage, 'dist', f), 'utf8')).join('\n');
    for (const name of ['@fr/backend-tensorflow', '@fr/backend-webgpu', '@fr/backend-wasm', '@fr/backend-cpu']) expect(code).toContain(`"${name}"`);
  });

  test('its package.json names no backend in dependencies or peerDependencies', () => {
    const pkg = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const declared = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
    expect(declared.filter((name) => BACKEND.test(name))).toEqual([]);
  });

  test('installed with @tensorflow/tfjs-core only, `npm ls --all` shows no backend package', () => {
    const tree = JSON.parse(run('npm', ['ls', '--all', '--json'], consumer)) as { dependencies?: Record<string, unknown> };
    const names = new Set<string>();
    const walk = (deps: Record<string, unknown> | undefined): void => {
      for (const [name, node] of Object.entries(deps ?? {})) {
        names.add(name);
        walk((node as { dependencies?: Record<string, unknown> }).dependencies);
      }
    };
    walk(tree.dependencies);
    expect(names).toContain('@fr/core');
    expect(names).toContain('@tensorflow/tfjs-core');
    expect([...names].filter((name) => BACKEND.test(name))).toEqual([]);
  });

  const script = `
    const loss = defineLoss({ name: 'norm-penalty', terms: () => ({ terms: {} }) });
    let message = null;
    try { await selectBackend('auto', { log: null }); } catch (error) { message = error.message; }
    console.log(JSON.stringify({ name: loss.name, kind: loss.kind, message }));`;
  const expectWorks = (out: string): void => {
    const result = JSON.parse(out.trim().split('\n').pop()!) as { name: string; kind: string; message: string | null };
    expect(result).toMatchObject({ name: 'norm-penalty', kind: 'loss' });
    expect(result.message).toMatch(/^Backend "auto" is not available here \(/);
    for (const name of ['tensorflow', 'webgpu', 'wasm', 'cpu']) expect(result.message).toContain(`${name}: @fr/backend-${name} is not installed (npm i @fr/backend-${name})`);
    expect(result.message).toMatch(/Install a backend package, e\.g\. npm i @fr\/backend-wasm/);
  };

  test('import { defineLoss } works from ESM, and selectBackend("auto") says what to install', () => {
    writeFileSync(join(consumer, 'esm.mjs'), `import { defineLoss, selectBackend } from '@fr/core';\n${script}`);
    expectWorks(run(process.execPath, ['esm.mjs'], consumer));
  });

  test('require("@fr/core") works from CommonJS, and selectBackend("auto") says what to install', () => {
    writeFileSync(join(consumer, 'cjs.cjs'), `const { defineLoss, selectBackend } = require('@fr/core');\n(async () => {${script}\n})();`);
    expectWorks(run(process.execPath, ['cjs.cjs'], consumer));
  });
});

describe('@fr/core with @fr/backend-wasm installed', () => {
  const script = `
    const auto = await selectBackend('auto', { log: null });
    const y = tf.conv2d(tf.ones([1, 4, 4, 1]), tf.ones([3, 3, 1, 1]), 1, 'valid');
    const grad = tf.grad((w) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]), w, 1, 'valid')))(tf.ones([3, 3, 1, 1]));
    const onWasm = { name: auto.name, simd: auto.facts.simd, skipped: auto.skipped.map((s) => s.backend + ': ' + s.reason), y: Array.from(await y.data()), grad: Array.from(await grad.data()) };
    const cpu = await selectBackend('cpu', { log: null });
    console.log(JSON.stringify({ ...onWasm, cpu: cpu.name, capabilities: backendCapabilities().readsSync }));`;
  const expectLoaded = (out: string): void => {
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({
      name: 'wasm',
      simd: true,
      skipped: [
        'tensorflow: @fr/backend-tensorflow is not installed (npm i @fr/backend-tensorflow)',
        'webgpu: @fr/backend-webgpu is not installed (npm i @fr/backend-webgpu)',
      ],
      y: [9, 9, 9, 9],
      grad: [4, 4, 4, 4, 4, 4, 4, 4, 4], // Conv2DBackpropFilter: a kernel @fr/backend-wasm adds
      cpu: 'cpu',
      capabilities: true,
    });
  };

  test('selectBackend loads it at run time from ESM (the app imports only @fr/core) and it trains', () => {
    writeFileSync(join(withWasm, 'esm.mjs'), `import { backendCapabilities, selectBackend, tf } from '@fr/core';\n${script}`);
    expectLoaded(run(process.execPath, ['esm.mjs'], withWasm));
  });

  test('and from CommonJS', () => {
    writeFileSync(join(withWasm, 'cjs.cjs'), `const { backendCapabilities, selectBackend, tf } = require('@fr/core');\n(async () => {${script}\n})();`);
    expectLoaded(run(process.execPath, ['cjs.cjs'], withWasm));
  });
});
