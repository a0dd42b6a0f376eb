import { defineConfig } from 'tsup';
import { frPackage } from '../../tsup.shared';

// `cli` is the `fr-fc-plan` executable; the main entry never touches `process`.
export default defineConfig(frPackage({ index: 'src/index.ts', cli: 'src/cli.ts' }));
