#!/usr/bin/env node
/** fr-import: .onnx / .pth / .safetensors → an @fr model folder (see `fr-import --help`). */
import { importCommand, importUsage } from './cli/import-command.js';
import { runMain } from './cli/options.js';

runMain('fr-import', importCommand, importUsage);
