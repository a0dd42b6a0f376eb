import { defineConfig } from 'tsup';
import { frPackage } from '../../tsup.shared';

export default defineConfig(frPackage({ index: 'src/index.ts' }));
