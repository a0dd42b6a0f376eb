import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { selectBackend } from '@fr/core';
import { saveBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { detectFormat, importBackbone } from '../import-backbone.js';
import { usageErrors, runCommand, UsageError, type Print } from './options.js';

export const importUsage = `usage: fr-import <model.onnx | backbone.pth | model.safetensors> --out <folder> [options]

Imports a PyTorch / ONNX face model into an @fr model folder (model.json + weights) that
loadBackbone, fr-bench and any @fr training composition use.
options:
  --architecture <name>     @fr architecture (default: inferred from the file)
  --options <json>          createBackbone options, e.g. '{"heads": 8}' (merged over the inferred ones)
  --cast-floats             accept float16 / bfloat16 / float64 weights (converted to float32)
  --key <name>              .pth: the checkpoint key holding the state dict (default: state_dict_backbone, …)
  --backend <name>          tfjs backend (default cpu)`;

/** `fr-import`: .onnx / .pth / .safetensors → an @fr model folder. */
export function importCommand(argv: readonly string[], print: Print, printError: Print): Promise<number> {
  return runCommand(async () => {
    const { values, positionals } = usageErrors(() => parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: {
      out: { type: 'string' }, architecture: { type: 'string' }, options: { type: 'string' },
      'cast-floats': { type: 'boolean' }, key: { type: 'string' }, backend: { type: 'string' },
    } }));
    const [file, extra] = positionals;
    if (!file) throw new UsageError('missing the model file to import');
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (!values.out) throw new UsageError('missing --out (the @fr model folder to write)');
    let options: Record<string, unknown> | undefined;
    if (values.options !== undefined) {
      try {
        options = JSON.parse(values.options) as Record<string, unknown>;
      } catch (error) {
        throw new UsageError(`--options is not JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await selectBackend(values.backend ?? 'cpu', { log: null });
    const bytes = new Uint8Array(await readFile(file));
    const backbone = importBackbone(bytes, { source: file, architecture: values.architecture, options, castFloats: values['cast-floats'], key: values.key });
    await saveBackbone(backbone, fileSystem(values.out));
    print(`imported ${file} (${detectFormat(bytes, file)}) as ${backbone.name} ${JSON.stringify(backbone.config)}: ${(backbone.module.parameterCount() / 1e6).toFixed(2)} M parameters → ${values.out}/model.json`);
    backbone.module.dispose();
  }, importUsage, print, printError);
}
