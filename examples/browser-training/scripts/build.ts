/**
 * Builds the page into a folder a static server can serve as-is:
 *
 *   index.html, page.css               the training page (and the style both pages share)
 *   main.js (+ chunk-*.js)             src/main.ts bundled for the browser by esbuild (ESM, code-split:
 *                                      tfjs-backend-webgpu is a separate chunk loaded only when the
 *                                      browser has navigator.gpu)
 *   deploy.html, deploy.js             the deploy page: an exported model (ONNX in onnxruntime-web,
 *                                      GraphModel in plain tfjs) embedding a face, no @fr code
 *   tfjs-backend-wasm*.wasm            the wasm backend's binaries, next to the bundle; the pages set
 *                                      `wasmPaths` to the bundle's own folder
 *   ort-wasm-simd-threaded.{wasm,mjs}  onnxruntime-web's wasm build, likewise
 *
 * `@fr/*` imports resolve to the workspace TypeScript sources (as vitest's alias does), so no
 * package needs building first. Usage: `npm run build [-- --out <dir>] [-- --no-minify]`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const EXAMPLE = fileURLToPath(new URL('../', import.meta.url));
const ROOT = resolve(EXAMPLE, '../..');

/** The wasm backend's binaries: plain SIMD, threaded SIMD, and the non-SIMD fallback. */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;
/** onnxruntime-web's wasm build (the deploy page), loaded from the bundle's folder. */
export const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'] as const;

/** Resolves `@fr/<pkg>[/<sub>]` to `packages/<pkg>/src[/<sub>]/index.ts`, as the vitest alias does. */
const workspaceSources: Plugin = {
  name: 'fr-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@fr\/[^/]+(\/.+)?$/ }, (args) => {
      const [, pkg, sub] = /^@fr\/([^/]+)(?:\/(.+))?$/.exec(args.path) as RegExpExecArray;
      const path = join(ROOT, 'packages', pkg as string, 'src', sub ?? '', 'index.ts');
      return existsSync(path) ? { path } : undefined;
    });
  },
};

export interface BuildOptions {
  /** Output folder (emptied first). Default `examples/browser-training/dist`. */
  readonly outDir?: string;
  /** Minify the bundle (default true). */
  readonly minify?: boolean;
}

export interface BuildResult {
  readonly outDir: string;
  /** Files written, relative to `outDir`, with their sizes in bytes. */
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
  /** Every input file of the bundle, relative to the repository root. */
  readonly inputs: readonly string[];
  /** The input files each page's script loads (its entry chunk and the chunks it imports statically), by entry name. */
  readonly entryInputs: Readonly<Record<string, readonly string[]>>;
  /** esbuild's warnings, formatted. */
  readonly warnings: readonly string[];
  readonly seconds: number;
}

/** Bundles the page into `outDir` and copies the wasm binaries next to it. */
export async function buildPage(options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const outDir = resolve(options.outDir ?? join(EXAMPLE, 'dist'));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const result = await build({
    entryPoints: { main: join(EXAMPLE, 'src/main.ts'), deploy: join(EXAMPLE, 'src/deploy.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    minify: options.minify ?? true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [workspaceSources],
    // No externals: the Node built-ins @fr code reaches on Node code paths only (dynamic `import()`
    // behind isNode()) are mapped to empty modules by each package's `browser` field, as a user's
    // bundler sees them in the published packages.
    define: { 'process.env.NODE_ENV': '"production"' },
  });

  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const name of WASM_FILES) copyFileSync(join(wasmDir, name), join(outDir, name));
  const ortDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/wasm'));
  for (const name of ORT_FILES) copyFileSync(join(ortDir, name), join(outDir, name));
  for (const page of ['index.html', 'deploy.html', 'page.css']) writeFileSync(join(outDir, page), readFileSync(join(EXAMPLE, page)));

  const files = readdirSync(outDir).sort().map((name) => ({ name, bytes: statSync(join(outDir, name)).size }));
  return {
    outDir,
    files,
    inputs: Object.keys(result.metafile.inputs).map((p) => relative(ROOT, resolve(process.cwd(), p))),
    entryInputs: Object.fromEntries(['main', 'deploy'].map((entry) => [entry, entryInputsOf(result.metafile, outDir, entry)])),
    warnings: result.warnings.map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Inputs of `<entry>.js` and of every chunk it imports statically (relative to the repository root). */
function entryInputsOf(metafile: Metafile, outDir: string, entry: string): string[] {
  const byPath = new Map(Object.entries(metafile.outputs).map(([path, output]) => [resolve(process.cwd(), path), output]));
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const output = byPath.get(path);
    if (!output) return;
    for (const input of Object.keys(output.inputs)) inputs.add(relative(ROOT, resolve(process.cwd(), input)));
    for (const imp of output.imports) if (imp.kind === 'import-statement' && !imp.external) visit(resolve(process.cwd(), imp.path));
  };
  visit(join(outDir, `${entry}.js`));
  return [...inputs].sort();
}

// ── CLI ──────────────────────────────────────────────────────────────────────────────────────────
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const outDir = outIndex >= 0 ? args[outIndex + 1] : undefined;
  buildPage({ outDir, minify: !args.includes('--no-minify') }).then((r) => {
    for (const w of r.warnings) console.warn(`warning: ${w}`);
    for (const f of r.files) console.info(`  ${f.name.padEnd(40)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KiB`);
    console.info(`built ${relative(process.cwd(), r.outDir) || '.'} in ${r.seconds.toFixed(1)} s (${r.inputs.length} inputs)`);
    console.info('serve it with `npm run serve` and open the printed URL');
  }, (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
