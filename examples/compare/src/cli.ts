/** `npm run compare` (run from the sources: `node --conditions=@fr/source --import tsx examples/compare/src/cli.ts`). */
import { compare } from './compare.js';

try {
  process.exitCode = (await compare(process.argv.slice(2))).code;
} catch (error) {
  // Caught here: tfjs-backend-wasm rethrows unhandled rejections with its whole minified source line.
  console.error(`compare: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exitCode = 1;
}
