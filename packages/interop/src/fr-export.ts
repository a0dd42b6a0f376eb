#!/usr/bin/env node
/** fr-export: an @fr model folder → ONNX, tfjs GraphModel, arcface_torch .pth / .safetensors (see `fr-export --help`). */
import { runExportCli } from './cli/programs.js';

// No top-level await: the CommonJS build of this entry cannot have it.
void runExportCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
