import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { selectBackend } from '@fr/core';
import { flagHelp, numberFlag, requiredFlag, stringFlag, UsageError, type CliCommand, type CliIo, type FlagSpec, type ParsedFlags } from '@fr/core/cli';
import { loadBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { exportGraphModel } from '../graph-model/export-graph-model.js';
import { exportOnnx } from '../onnx/export-onnx.js';
import { writePth } from '../pth/pth.js';
import { writeSafetensors } from '../safetensors/safetensors.js';
import { backboneToStateDict } from '../state-dict/torch-state-dict.js';
import { megabytes } from './megabytes.js';

const OUTPUTS: readonly FlagSpec[] = [
  { name: 'onnx', value: '<file.onnx>', help: 'ONNX inference model (opset 17+, dynamic batch, NCHW input "data")' },
  { name: 'graph-model', value: '<folder>', help: 'tfjs GraphModel (model.json + weights) for @tensorflow/tfjs-converter' },
  { name: 'pth', value: '<file.pth>', help: "arcface_torch state dict in torch.save's zip layout" },
  { name: 'safetensors', value: '<file>', help: 'the same state dict as .safetensors' },
];

const OPTIONS: readonly FlagSpec[] = [
  { name: 'model', value: '<folder>', help: 'the @fr model folder to export (what saveBackbone wrote, with model.json)' },
  { name: 'keep-batch-norm', help: 'ONNX: keep BatchNormalization nodes (default: fold them into the convs)' },
  { name: 'opset', value: '<n>', help: 'ONNX operator set (default 17)' },
  { name: 'backend', value: '<name>', help: 'tfjs backend used to read the weights (default cpu)' },
];

const USAGE = `usage: fr-export --model <@fr model folder> [outputs…] [options]

outputs (one or more):
${flagHelp(OUTPUTS)}
options:
${flagHelp(OPTIONS)}`;

async function runExport(args: ParsedFlags, io: CliIo): Promise<void> {
  const print = (line: string): void => void io.stdout.write(`${line}\n`);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const model = requiredFlag(args, 'model', '(the folder saveBackbone wrote, with model.json)');
  const values = { onnx: stringFlag(args, 'onnx'), 'graph-model': stringFlag(args, 'graph-model'), pth: stringFlag(args, 'pth'), safetensors: stringFlag(args, 'safetensors') };
  if (Object.values(values).every((v) => v === undefined)) throw new UsageError('nothing to write: give --onnx, --graph-model, --pth and/or --safetensors');
  const opset = numberFlag(args, 'opset', { integer: true, min: 17 }) ?? 17;
  await selectBackend(stringFlag(args, 'backend') ?? 'cpu', { log: null });
  const backbone = await loadBackbone(fileSystem(model));
  const source = resolve(model);
  const what = `${backbone.name} (${(backbone.module.parameterCount() / 1e6).toFixed(2)} M parameters, input ${backbone.config.inputSize}×${backbone.config.inputSize})`;
  const write = async (file: string, bytes: Uint8Array, detail: string) => {
    await mkdir(dirname(resolve(file)), { recursive: true });
    await writeFile(file, bytes);
    print(`wrote ${file}: ${what}, ${detail}, ${megabytes(bytes.byteLength)}`);
  };
  if (values.onnx) {
    const fold = !args.flags.has('keep-batch-norm');
    await write(values.onnx, exportOnnx(backbone, { foldBatchNorm: fold, opset, source }), `ONNX opset ${opset}, batch norm ${fold ? 'folded' : 'kept'}, input "data" NCHW`);
  }
  if (values['graph-model']) {
    const artifacts = exportGraphModel(backbone, { source });
    await fileSystem(values['graph-model']).save!(artifacts);
    print(`wrote ${values['graph-model']}/model.json: ${what}, tfjs GraphModel (${(artifacts.modelTopology as { node: unknown[] }).node.length} nodes), input "input" NHWC, ${megabytes((artifacts.weightData as ArrayBuffer).byteLength)}`);
  }
  if (values.pth || values.safetensors) {
    const state = backboneToStateDict(backbone);
    if (values.pth) await write(values.pth, writePth(state), `arcface_torch state dict (${state.size} tensors)`);
    if (values.safetensors) await write(values.safetensors, writeSafetensors(state, { format: 'pt' }), `arcface_torch state dict (${state.size} tensors)`);
  }
  backbone.module.dispose();
}

/** `fr-export`: an @fr model folder (saveBackbone) → ONNX, GraphModel, .pth, .safetensors. */
export const exportCommand: CliCommand = { usage: USAGE, flags: [...OUTPUTS, ...OPTIONS], run: runExport };
