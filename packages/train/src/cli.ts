#!/usr/bin/env node
/** The `fr-train` executable (see `cli/main.ts`). */
import { main } from './cli/main.js';

// No top-level await: the CommonJS build of this entry cannot have it.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
