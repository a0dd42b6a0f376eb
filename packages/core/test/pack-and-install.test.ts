/**
 * The packages as a new user meets them: built with their own tsup configs, packed with
 * `npm pack` as they would be published, and installed from the tarballs into temp consumers from
 * the npm cache, with nothing from this repository but the tarballs.
 *
 * - @fr/core alone (with @tensorflow/tfjs-core): no backend comes with it, ESM and CommonJS work,
 *   and `selectBackend` says what to install.
 * - @fr/core + @fr/backend-wasm: `selectBackend` loads the backend at run time, without an import.
 * - Every published package whose code a new user runs first (core, the cpu / wasm / webgpu
 *   backends, backbones, loss-arcface, data, interop, bench, train): 3 training steps from ESM and
 *   from CommonJS; every CLI answers `--version` through its installed bin; the browser example's
 *   page bundles from the installed `dist` for the browser with no externals; each tarball holds
 *   its LICENSE and no source maps.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildAndPack, importsOf, installInto, limited, REPO_ROOT, run, runAsync } from './helpers/packing.js';

const work = mkdtempSync(join(tmpdir(), 'fr-pack-and-install-'));
const bare = join(work, 'consumer');
const withWasm = join(work, 'consumer-with-wasm');
const full = join(work, 'consumer-full');

/** A backend: the @fr backend packages, tfjs' backend packages, tfjs-node(-gpu), Dawn's bindings. */
const BACKEND = /^(@fr\/backend-|@tensorflow\/tfjs-backend-|@tensorflow\/tfjs-node)|^webgpu$/;

/** The packages a new user installs first, in build order (none needs another's build). */
const PACKED = ['core', 'backend-cpu', 'backend-wasm', 'backend-webgpu', 'backbones', 'loss-arcface', 'data', 'interop', 'bench', 'train'] as const;
type Packed = (typeof PACKED)[number];
const TFJS_CORE = '@tensorflow/tfjs-core@4.22.0';

let tarballs: Record<Packed, string>;
const started = performance.now();

beforeAll(async () => {
  // Only @fr/core's declarations are read (below); the other packages build their JavaScript only.
  const built = await limited(2, PACKED.map((name) => () => buildAndPack(work, name, { dts: name === 'core' })));
  tarballs = Object.fromEntries(PACKED.map((name, i) => [name, built[i]])) as Record<Packed, string>;
  await Promise.all([
    installInto(bare, [tarballs.core, TFJS_CORE]),
    installInto(withWasm, [tarballs.core, tarballs['backend-cpu'], tarballs['backend-wasm'], TFJS_CORE]),
    installInto(full, [...built, TFJS_CORE]),
  ]);
  console.info(`[pack-and-install] ${PACKED.length} packages built, packed and installed into 3 consumers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 240_000);

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
    const dist = join(bare, 'node_modules/@fr/core/dist');
    const files = readdirSync(dist).filter((f) => /\.(js|cjs|d\.ts|d\.cts)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.cjs', 'index.d.ts', 'testing.js', 'testing.cjs', 'cli.js', 'cli.cjs']));
    const found = files.flatMap((f) => importsOf(readFileSync(join(dist, f), 'utf8')).filter((s) => BACKEND.test(s)).map((s) => `${f}: ${s}`));
    expect(found).toEqual([]);
    const code = files.filter((f) => /\.c?js$/.test(f)).map((f) => readFileSync(join(dist, f), 'utf8')).join('\n');
    for (const name of ['@fr/backend-tensorflow', '@fr/backend-webgpu', '@fr/backend-wasm', '@fr/backend-cpu']) expect(code).toContain(`"${name}"`);
  });

  test('its package.json names no backend in dependencies or peerDependencies', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/core/package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const declared = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
    expect(declared.filter((name) => BACKEND.test(name))).toEqual([]);
  });

  test('installed with @tensorflow/tfjs-core only, `npm ls --all` shows no backend package', () => {
    const tree = JSON.parse(run('npm', ['ls', '--all', '--json'], bare)) as { dependencies?: Record<string, unknown> };
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
    writeFileSync(join(bare, 'esm.mjs'), `import { defineLoss, selectBackend } from '@fr/core';\n${script}`);
    expectWorks(run(process.execPath, ['esm.mjs'], bare));
  });

  test('require("@fr/core") works from CommonJS, and selectBackend("auto") says what to install', () => {
    writeFileSync(join(bare, 'cjs.cjs'), `const { defineLoss, selectBackend } = require('@fr/core');\n(async () => {${script}\n})();`);
    expectWorks(run(process.execPath, ['cjs.cjs'], bare));
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

describe('installed from the tarballs, as a new user installs them', () => {
  /** 3 steps of MobileFaceNet + full FC + ArcFace on synthetic identities, on wasm; prints the losses. */
  const train = `
    const info = await selectBackend('wasm', { log: null });
    const numClasses = 4, inputSize = 32, embeddingSize = 16;
    const trainer = createTrainer({
      backbone: createBackbone('mobilefacenet', { inputSize, widthMultiplier: 0.25, embeddingSize }, { rng: Rng.fromSeed(1) }),
      centers: fullFC({ numClasses, embeddingSize, seed: 3 }),
      margin: arcface({ s: 64, m: 0.5 }),
      dataset: syntheticIdentities({ numClasses, imagesPerClass: 4, inputSize, seed: 7 }),
      config: { batchSize: 8, steps: 3, seed: 2, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, log: { progress: false } },
    });
    const losses = [];
    trainer.on('step', (e) => losses.push(e.loss));
    await trainer.fit();
    console.log(JSON.stringify({ backend: info.name, losses }));`;
  const expectTrained = (out: string): void => {
    const result = JSON.parse(out.trim().split('\n').pop()!) as { backend: string; losses: number[] };
    expect(result.backend).toBe('wasm');
    expect(result.losses).toHaveLength(3);
    for (const loss of result.losses) expect(Number.isFinite(loss) && loss > 0).toBe(true);
  };

  test('3 training steps from ESM', async () => {
    writeFileSync(join(full, 'train.mjs'), `import { createTrainer, fullFC, Rng, selectBackend, syntheticIdentities } from '@fr/core';
import { createBackbone } from '@fr/backbones';
import { arcface } from '@fr/loss-arcface';
${train}`);
    expectTrained(await runAsync(process.execPath, ['train.mjs'], full));
  });

  test('3 training steps from CommonJS', async () => {
    writeFileSync(join(full, 'train.cjs'), `const { createTrainer, fullFC, Rng, selectBackend, syntheticIdentities } = require('@fr/core');
const { createBackbone } = require('@fr/backbones');
const { arcface } = require('@fr/loss-arcface');
(async () => {${train}
})();`);
    expectTrained(await runAsync(process.execPath, ['train.cjs'], full));
  });

  test('every CLI answers --version and --help through its installed bin; a misspelt flag names the closest, before any backend is probed', async () => {
    const bin = (name: string, args: string[]) => runAsync(process.execPath, [join(full, 'node_modules/.bin', name), ...args], full);
    const names = ['fr-train', 'fr-bench', 'fr-data', 'fr-fc-plan', 'fr-export', 'fr-import'];
    const versions = await Promise.all(names.map((name) => bin(name, ['--version'])));
    expect(versions).toEqual(names.map((name) => `${name} 0.1.0\n`));
    expect(await bin('fr-data', ['rec', '--help'])).toMatch(/^fr-data rec <imagefolder> <out-prefix>/);
    let failure: { status?: number; stdout?: string; stderr?: string } = {};
    try {
      execFileSync(process.execPath, [join(full, 'node_modules/.bin/fr-bench'), 'report', '--modle', 'm'], { cwd: full, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error as typeof failure;
    }
    expect(failure).toMatchObject({ status: 2, stdout: '', stderr: "fr-bench report: unknown option --modle (did you mean --model?)\nRun 'fr-bench report --help' for the options.\n" });
  });

  test("the browser example's page bundles from the installed dist for the browser, with no externals", async () => {
    const example = join(REPO_ROOT, 'examples/browser-training/src');
    // The page's own imports resolve from the consumer, as they would in a user's app.
    const fromConsumer: Plugin = {
      name: 'resolve-from-consumer',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.pluginData === 'consumer' || !args.importer.startsWith(example)) return undefined;
          return b.resolve(args.path, { kind: args.kind, resolveDir: full, pluginData: 'consumer' });
        });
      },
    };
    const result = await build({
      entryPoints: [join(example, 'main.ts')],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      outdir: join(work, 'page'),
      absWorkingDir: work,
      metafile: true,
      logLevel: 'silent',
      plugins: [fromConsumer],
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs); // relative to `work`
    const fr = inputs.filter((p) => p.includes('/@fr/'));
    expect(fr.length).toBeGreaterThan(0);
    for (const p of fr) expect(p).toMatch(/^consumer-full\/node_modules\/@fr\/[^/]+\/dist\//);
    expect(inputs.filter((p) => !p.startsWith('consumer-full/') && !p.startsWith('(disabled)'))).toEqual([expect.stringMatching(/examples\/browser-training\/src\/main\.ts$/)]);
    const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    expect(external).toEqual([]);
  });

  test('each tarball holds its LICENSE, README, package.json and built code, and no source maps; @fr/bench ships its python yardstick', () => {
    const license = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/Apache License\s+Version 2\.0/);
    for (const name of PACKED) {
      const files = run('tar', ['-tzf', tarballs[name]], work).trim().split('\n');
      expect(files, name).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json', 'package/dist/index.js', 'package/dist/index.cjs']));
      expect(files.filter((f) => f.endsWith('.map')), name).toEqual([]);
      expect(files.filter((f) => f.startsWith('package/src/')), name).toEqual([]);
      expect(readFileSync(join(full, 'node_modules/@fr', name, 'LICENSE'), 'utf8'), name).toBe(license);
    }
    const bench = run('tar', ['-tzf', tarballs.bench], work);
    for (const file of ['python/README.md', 'python/train_step.py', 'python/margin_head.py', 'python/fr_bench_common.py', 'bin/fr-bench.js']) expect(bench).toContain(`package/${file}`);
    expect(bench).not.toMatch(/__pycache__|\.pyc/);
  });
});
