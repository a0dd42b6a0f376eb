import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Bundles a TypeScript script that imports @fr sources into one ESM file runnable by plain `node`
 * (for tests that need a separate process, e.g. kill -9). Packages stay external.
 */
export async function bundleScript(entry: string): Promise<string> {
  const outDir = `${repoRoot}node_modules/.cache/fr-test-bundles`;
  mkdirSync(outDir, { recursive: true });
  const outfile = `${outDir}/${basename(entry).replace(/\.ts$/, '')}-${process.pid}.mjs`;
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    packages: 'external',
    logLevel: 'error',
    banner: { js: "import { createRequire as __frCreateRequire } from 'node:module'; const require = __frCreateRequire(import.meta.url);" },
  });
  return outfile;
}
