import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Resolves `@fr/<pkg>[/<sub>]` to the workspace sources, as vitest's alias does. */
const workspaceSources: Plugin = {
  name: 'fr-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@fr\/[^/]+(\/.+)?$/ }, (args) => {
      const [, pkg, sub] = /^@fr\/([^/]+)(?:\/(.+))?$/.exec(args.path) as RegExpExecArray;
      const path = `${ROOT}packages/${pkg}/src/${sub ? `${sub}/` : ''}index.ts`;
      return existsSync(path) ? { path } : undefined;
    });
  },
};

export interface BrowserBundle {
  readonly code: string;
  /** Input files of the bundle, relative to the repository root. */
  readonly inputs: readonly string[];
}

/** Bundles `source` (TypeScript) for the browser like an app would: ESM, minified, tree-shaken. */
export async function bundleForBrowser(source: string): Promise<BrowserBundle> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // No externals: each package's `browser` field maps the Node built-ins its Node-only code paths import to empty modules.
    plugins: [workspaceSources],
  });
  return {
    code: result.outputFiles[0]!.text,
    inputs: Object.keys(result.metafile.inputs),
  };
}
