#!/usr/bin/env node
/** fr-export: an @fr model folder → ONNX, tfjs GraphModel, arcface_torch .pth / .safetensors (see `fr-export --help`). */
import { exportCommand, exportUsage } from './cli/export-command.js';
import { runMain } from './cli/options.js';

runMain('fr-export', exportCommand, exportUsage);
