#!/usr/bin/env node
/** fr-import: .onnx / .pth / .safetensors → an @fr model folder (see `fr-import --help`). */
import { runImportCli } from './cli/programs.js';

// No top-level await: the CommonJS build of this entry cannot have it.
void runImportCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
