import type { Options } from 'tsup';

/**
 * One tsup recipe for every @fr package: ESM + CJS + d.ts, one entry per public subpath.
 * Dependencies stay external.
 *
 * - No source maps: they embedded every source file (~3 MB in @fr/core's tarball) while the
 *   dist is unminified and readable; the CLIs run from sources in this repository anyway.
 * - `node:` specifiers stay as written (tsup strips them by default), so the dist names Node's
 *   built-ins exactly as the sources do and each package's `browser` map (`"node:fs": false`…)
 *   matches both: browser bundlers drop those modules, which only Node code paths reach.
 */
export function frPackage(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { paths: {} } },
    sourcemap: false,
    removeNodeProtocol: false,
    clean: true,
    target: 'es2022',
    splitting: true,
    treeshake: true,
    ...extra,
  };
}
