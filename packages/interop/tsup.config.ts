import { defineConfig } from 'tsup';
import { frPackage } from '../../tsup.shared';

// The two CLIs are their own entries (bin: fr-export, fr-import); the main entry has no Node imports.
export default defineConfig(frPackage({ index: 'src/index.ts', 'fr-export': 'src/fr-export.ts', 'fr-import': 'src/fr-import.ts' }));
