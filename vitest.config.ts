import { defineConfig } from 'vitest/config';
import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Tests run against the TypeScript sources of every workspace package (no build needed):
// `@fr/<name>` resolves to `packages/<name>/src/index.ts`, subpaths to `src/<sub>/index.ts`.
const root = fileURLToPath(new URL('.', import.meta.url));
const alias = readdirSync(`${root}packages`)
  .filter((name) => existsSync(`${root}packages/${name}/src/index.ts`))
  .flatMap((name) => [
    { find: new RegExp(`^@fr/${name}/(.+)$`), replacement: `${root}packages/${name}/src/$1/index.ts` },
    { find: new RegExp(`^@fr/${name}$`), replacement: `${root}packages/${name}/src/index.ts` },
  ]);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs backends are process-global singletons: isolate files in forks, run two at a time (2 cores).
    pool: 'forks',
    maxWorkers: 2,
    // Two test files run at once on 2 cores: one wasm thread each (wasm-threads.test.ts tests two).
    env: { FR_WASM_THREADS: '1' },
  },
});
