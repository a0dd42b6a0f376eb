import { defineConfig } from 'tsup';
import { frPackage } from '../../tsup.shared';

// The CLI entry awaits at top level, which CommonJS cannot: it is built as ESM only (its bin
// imports dist/cli.js); the library entry keeps ESM + CJS.
export default defineConfig([
  frPackage({ index: 'src/index.ts' }),
  frPackage({ cli: 'src/cli.ts' }, { format: ['esm'], dts: false, clean: false }),
]);
