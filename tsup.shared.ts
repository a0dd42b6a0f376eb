import type { Options } from 'tsup';

/**
 * One tsup recipe for every @fr package: ESM + CJS + d.ts, one entry per public subpath.
 * Dependencies stay external.
 */
export function frPackage(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { paths: {} } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: true,
    treeshake: true,
    ...extra,
  };
}
