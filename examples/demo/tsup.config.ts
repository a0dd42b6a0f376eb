import { defineConfig } from 'tsup';

// Node programs, not a library: ESM only, no type declarations.
export default defineConfig({
  entry: { demo: 'src/demo.ts' },
  format: ['esm'],
  target: 'node20',
  sourcemap: true,
  clean: true,
});
