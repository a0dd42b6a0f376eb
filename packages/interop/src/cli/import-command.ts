import { readFile } from 'node:fs/promises';
import { selectBackend } from '@fr/core';
import { flagHelp, requiredFlag, stringFlag, UsageError, type CliCommand, type CliIo, type FlagSpec, type ParsedFlags } from '@fr/core/cli';
import { saveBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { detectFormat, importBackbone } from '../import-backbone.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'out', value: '<folder>', help: 'the @fr model folder to write (model.json + weights)' },
  { name: 'architecture', value: '<name>', help: '@fr architecture (default: inferred from the file)' },
  { name: 'options', value: '<json>', help: 'createBackbone options, e.g. \'{"heads": 8}\' (merged over the inferred ones)' },
  { name: 'cast-floats', help: 'accept float16 / bfloat16 / float64 weights (converted to float32)' },
  { name: 'key', value: '<name>', help: '.pth: the checkpoint key holding the state dict (default: state_dict_backbone, …)' },
  { name: 'backend', value: '<name>', help: 'tfjs backend (default cpu)' },
];

const USAGE = `usage: fr-import <model.onnx | backbone.pth | model.safetensors> --out <folder> [options]

Imports a PyTorch / ONNX face model into an @fr model folder (model.json + weights) that
loadBackbone, fr-bench and any @fr training composition use.
options:
${flagHelp(FLAGS)}`;

async function runImport(args: ParsedFlags, io: CliIo): Promise<void> {
  const [file, extra] = args.positional;
  if (!file) throw new UsageError('missing the model file to import');
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  const out = requiredFlag(args, 'out', '(the @fr model folder to write)');
  const json = stringFlag(args, 'options');
  let options: Record<string, unknown> | undefined;
  if (json !== undefined) {
    try {
      options = JSON.parse(json) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--options is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await selectBackend(stringFlag(args, 'backend') ?? 'cpu', { log: null });
  const bytes = new Uint8Array(await readFile(file));
  const backbone = importBackbone(bytes, { source: file, architecture: stringFlag(args, 'architecture'), options, castFloats: args.flags.has('cast-floats'), key: stringFlag(args, 'key') });
  await saveBackbone(backbone, fileSystem(out));
  io.stdout.write(`imported ${file} (${detectFormat(bytes, file)}) as ${backbone.name} ${JSON.stringify(backbone.config)}: ${(backbone.module.parameterCount() / 1e6).toFixed(2)} M parameters → ${out}/model.json\n`);
  backbone.module.dispose();
}

/** `fr-import`: .onnx / .pth / .safetensors → an @fr model folder. */
export const importCommand: CliCommand = { usage: USAGE, flags: FLAGS, run: runImport };
