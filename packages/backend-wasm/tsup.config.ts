import { defineConfig } from 'tsup';
import { frPackage } from '../../tsup.shared';

// shims: the CommonJS build needs `import.meta.url` (the provider finds the .wasm files next to tfjs-backend-wasm).
export default defineConfig(frPackage({ index: 'src/index.ts' }, { shims: true }));
