import { basename, dirname, extname, resolve } from 'node:path';
import { selectBackend } from '@fr/core';
import { loadBackbone } from '@fr/backbones';
import '@fr/backbones/node';
import { VerificationSet } from '@fr/data';
import { verifyBackbone } from '../evaluate/verify-backbone.js';
import { backboneEngine, onnxEngine, type EmbeddingEngine } from '../evaluate/embedding-engine.js';
import { renderVerificationReport } from '../report/render.js';
import { flag, numberFlag, type ParsedArgs } from './args.js';

export const reportUsage = `fr-bench report --model <dir|model.json|model.onnx> (--pairs <pairs.txt> --images <root> | --bin <set.bin>) [--out runs/report] [--name <dataset: default from the file name>] [--batch 64] [--no-flip] [--backend auto] [--engine tfjs|onnxruntime] [--threads N] [--no-png]

Evaluates a saved backbone with the insightface verification protocol (orig + flip embeddings,
10 folds) and writes <out>/<name>.json, .html and ROC / score-distribution / fold plots (SVG, PNG).
--engine onnxruntime evaluates an ONNX model (e.g. from fr-export, or arcface_torch's torch2onnx)
in onnxruntime-node (optional peer: npm install onnxruntime-node); its preprocessing comes from the
file's metadata, else arcface_torch's (RGB, x/127.5 - 1). --threads: onnxruntime's intra-op threads.
--no-png: skip the PNG copies of the plots (they need Chromium).`;

function modelUrl(path: string): string {
  const abs = resolve(path);
  return `file://${abs.endsWith('.json') ? abs : `${abs}/model.json`}`;
}

/**
 * The dataset's name from its file: `lfw.bin` → `lfw`, `celeba-crops-pairs.txt` →
 * `celeba-crops-pairs`, and a generic `pairs.txt` takes its folder's name (`orl-faces/pairs.txt` →
 * `orl-faces`).
 */
export function datasetName(path: string): string {
  const stem = basename(path, extname(path));
  return stem.toLowerCase() === 'pairs' ? basename(dirname(resolve(path))) : stem;
}

/** The model to evaluate: an @fr backbone on a tfjs backend, or an ONNX file in onnxruntime-node. */
async function openEngine(args: ParsedArgs, out: (line: string) => void): Promise<EmbeddingEngine> {
  const engine = flag(args, 'engine', 'tfjs');
  const model = flag(args, 'model');
  if (engine === 'onnxruntime') {
    const threads = args.flags.has('threads') ? numberFlag(args, 'threads', 0) : undefined;
    const onnx = await onnxEngine(model, { threads });
    out(`onnxruntime-node: ${onnx.name}, input ${onnx.preprocessing.inputSize}×${onnx.preprocessing.inputSize} ${onnx.preprocessing.colorOrder} ${onnx.preprocessing.normalization} (${onnx.preprocessingFrom})`);
    return onnx;
  }
  if (engine !== 'tfjs') throw new Error(`--engine must be tfjs or onnxruntime, got "${engine}"`);
  if (model.endsWith('.onnx')) throw new Error(`${model} is an ONNX model: pass --engine onnxruntime (or import it first: fr-import ${model} --out <folder>)`);
  await selectBackend(flag(args, 'backend', process.env.FR_BACKEND ?? 'auto'), { log: out });
  return backboneEngine(await loadBackbone(modelUrl(model)));
}

/** `fr-bench report`: evaluate a saved backbone (or an ONNX model) on a pairs set and write the report. */
export async function reportCommand(args: ParsedArgs, out: (line: string) => void): Promise<void> {
  const model = flag(args, 'model');
  const engine = await openEngine(args, out);
  const bin = args.flags.get('bin');
  const set = typeof bin === 'string'
    ? VerificationSet.fromBin(bin)
    : VerificationSet.fromPairs(flag(args, 'pairs'), flag(args, 'images'));
  const name = flag(args, 'name', datasetName(typeof bin === 'string' ? bin : flag(args, 'pairs')));
  const flip = !args.flags.has('no-flip');
  const tty = Boolean(process.stderr.isTTY);
  const started = Date.now();
  const verified = await verifyBackbone(engine, set, {
    batchSize: numberFlag(args, 'batch', 64),
    flip,
    onProgress: (done, total) => {
      if (tty) process.stderr.write(`\rembedding ${done}/${total} images`);
    },
  });
  if (tty) process.stderr.write('\n');
  const { report, files, pngSkipped } = await renderVerificationReport(
    {
      dataset: name,
      model,
      issame: set.issame,
      embeddings: verified.embeddings,
      flipped: verified.flipped,
      metadata: { backend: engine.runtime, architecture: engine.name, inputSize: engine.preprocessing.inputSize, seconds: Math.round((Date.now() - started) / 100) / 10 },
    },
    { outDir: flag(args, 'out', 'runs/report'), png: args.flags.has('no-png') ? false : 'auto' },
  );
  await engine.dispose();
  out(`${name}: accuracy ${(100 * report.accuracy.mean).toFixed(2)}% ± ${(100 * report.accuracy.std).toFixed(2)}% over ${report.pairCount} pairs (${engine.name}, ${engine.runtime})`);
  out(`report: ${files.html}`);
  out(`json:   ${files.json}`);
  if (pngSkipped) out(`png:    skipped (${pngSkipped})`);
}
