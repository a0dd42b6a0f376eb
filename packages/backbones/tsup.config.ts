import { defineConfig } from 'tsup';
import { frPackage } from '../../tsup.shared';

// `node` is a separate entry so the main entry never imports Node built-ins (browser bundles).
export default defineConfig(frPackage({ index: 'src/index.ts', node: 'src/node/index.ts' }));
