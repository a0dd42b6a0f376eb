import { defineConfig } from 'tsup';
import { frPackage } from '../../tsup.shared';

export default defineConfig(frPackage({ index: 'src/index.ts', testing: 'src/testing/index.ts', cli: 'src/cli/index.ts' }));
