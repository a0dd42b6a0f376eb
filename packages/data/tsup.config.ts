import { defineConfig } from 'tsup';
import { frPackage } from '../../tsup.shared';

// `decode-worker` is its own entry so the prefetch pool can start it as a worker thread from
// dist/ (located next to the code via import.meta.url; `shims` provides that URL in the CJS build).
export default defineConfig(
  frPackage(
    { index: 'src/index.ts', cli: 'src/cli.ts', 'decode-worker': 'src/dataset/decode-worker.ts' },
    { shims: true },
  ),
);
