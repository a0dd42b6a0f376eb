#!/usr/bin/env node
/** fr-import: .onnx / .pth / .safetensors → an @fr model folder (see `fr-import --help`). */
import { importCommand, importUsage } from './cli/import-command.js';

const argv = process.argv.slice(2);
if (argv.includes('--help')) process.stdout.write(`${importUsage}\n`);
else {
  void importCommand(argv, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`fr-import: ${l}\n`)).then((code) => {
    process.exitCode = code;
  });
}
