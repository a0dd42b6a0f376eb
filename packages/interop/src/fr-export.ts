#!/usr/bin/env node
/** fr-export: an @fr model folder → ONNX, tfjs GraphModel, arcface_torch .pth / .safetensors (see `fr-export --help`). */
import { exportCommand, exportUsage } from './cli/export-command.js';

const argv = process.argv.slice(2);
if (argv.includes('--help')) process.stdout.write(`${exportUsage}\n`);
else {
  void exportCommand(argv, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`fr-export: ${l}\n`)).then((code) => {
    process.exitCode = code;
  });
}
