import { parseArgs } from 'node:util';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { selectBackend } from '@fr/core';
import { loadBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { exportGraphModel } from '../graph-model/export-graph-model.js';
import { exportOnnx } from '../onnx/export-onnx.js';
import { writePth } from '../pth/pth.js';
import { writeSafetensors } from '../safetensors/safetensors.js';
import { backboneToStateDict } from '../state-dict/torch-state-dict.js';
import { megabytes, usageErrors, runCommand, UsageError, type Print } from './options.js';

export const exportUsage = `usage: fr-export --model <@fr model folder> [outputs…] [options]

outputs (one or more):
  --onnx <file.onnx>          ONNX inference model (opset 17+, dynamic batch, NCHW input "data")
  --graph-model <folder>      tfjs GraphModel (model.json + weights) for @tensorflow/tfjs-converter
  --pth <file.pth>            arcface_torch state dict in torch.save's zip layout
  --safetensors <file>        the same state dict as .safetensors
options:
  --keep-batch-norm           ONNX: keep BatchNormalization nodes (default: fold them into the convs)
  --opset <n>                 ONNX operator set (default 17)
  --backend <name>            tfjs backend used to read the weights (default cpu)`;

/** `fr-export`: an @fr model folder (saveBackbone) → ONNX, GraphModel, .pth, .safetensors. */
export function exportCommand(argv: readonly string[], print: Print, printError: Print): Promise<number> {
  return runCommand(async () => {
    const { values, positionals } = usageErrors(() => parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: {
      model: { type: 'string' }, onnx: { type: 'string' }, 'graph-model': { type: 'string' }, pth: { type: 'string' },
      safetensors: { type: 'string' }, 'keep-batch-norm': { type: 'boolean' }, opset: { type: 'string' }, backend: { type: 'string' },
    } }));
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (!values.model) throw new UsageError('missing --model (the folder saveBackbone wrote, with model.json)');
    const outputs = ['onnx', 'graph-model', 'pth', 'safetensors'].filter((k) => values[k as keyof typeof values] !== undefined);
    if (outputs.length === 0) throw new UsageError('nothing to write: give --onnx, --graph-model, --pth and/or --safetensors');
    const opset = values.opset === undefined ? 17 : Number(values.opset);
    if (!Number.isInteger(opset) || opset < 17) throw new UsageError(`--opset needs an integer ≥ 17, got ${values.opset}`);
    await selectBackend(values.backend ?? 'cpu', { log: null });
    const backbone = await loadBackbone(fileSystem(values.model));
    const source = resolve(values.model);
    const what = `${backbone.name} (${(backbone.module.parameterCount() / 1e6).toFixed(2)} M parameters, input ${backbone.config.inputSize}×${backbone.config.inputSize})`;
    const write = async (file: string, bytes: Uint8Array, detail: string) => {
      await mkdir(dirname(resolve(file)), { recursive: true });
      await writeFile(file, bytes);
      print(`wrote ${file}: ${what}, ${detail}, ${megabytes(bytes.byteLength)}`);
    };
    if (values.onnx) {
      const fold = !values['keep-batch-norm'];
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
  }, exportUsage, print, printError);
}
