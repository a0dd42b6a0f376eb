import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProgress, selectBackend, type Progress } from '@fr/core';
import { flagHelp, numberFlag, requiredFlag, stringFlag, UsageError, type CliCommand, type CliIo, type FlagSpec, type ParsedFlags } from '@fr/core/cli';
import { loadBackbone } from '@fr/backbones';
import '@fr/backbones/node';
import { VerificationSet } from '@fr/data';
import { verifyBackbone } from '../evaluate/verify-backbone.js';
import { backboneEngine, onnxEngine, type EmbeddingEngine } from '../evaluate/embedding-engine.js';
import { renderVerificationReport } from '../report/render.js';

const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
const ENGINES = ['tfjs', 'onnxruntime'];

const REPORT_FLAGS: readonly FlagSpec[] = [
  { name: 'model', value: '<dir|model.json|model.onnx>', help: 'the saved backbone (a folder holding model.json, or the file), or an ONNX model with --engine onnxruntime' },
  { name: 'pairs', value: '<pairs.txt>', help: 'LFW-style pairs list (with --images)' },
  { name: 'images', value: '<root>', help: 'the folder the pairs name their images in' },
  { name: 'bin', value: '<set.bin>', help: 'an insightface verification .bin (instead of --pairs and --images)' },
  { name: 'out', value: '<dir>', help: 'output folder (default runs/report)' },
  { name: 'name', value: '<dataset>', help: 'dataset name for the report and its files (default: from the file name)' },
  { name: 'batch', value: '<n>', help: 'images per forward pass (default 64)' },
  { name: 'no-flip', help: 'embed the original images only (default: original + flipped, summed)' },
  { name: 'backend', value: `<${BACKENDS.join('|')}>`, help: 'the tfjs backend (default $FR_BACKEND, else auto)' },
  { name: 'engine', value: `<${ENGINES.join('|')}>`, help: 'what runs the model (default tfjs); onnxruntime: an ONNX model in onnxruntime-node' },
  { name: 'threads', value: '<n>', help: "onnxruntime's intra-op threads" },
  { name: 'no-png', help: 'skip the PNG copies of the plots (they need Chromium)' },
];

const REPORT_USAGE = `fr-bench report --model <dir|model.json|model.onnx> (--pairs <pairs.txt> --images <root> | --bin <set.bin>) [options]

Evaluates a saved backbone with the insightface verification protocol (orig + flip embeddings,
10 folds) and writes <out>/<name>.json, .html and ROC / score-distribution / fold plots (SVG, PNG).
--engine onnxruntime evaluates an ONNX model (e.g. from fr-export, or arcface_torch's torch2onnx)
in onnxruntime-node (optional peer: npm install onnxruntime-node); its preprocessing comes from the
file's metadata, else arcface_torch's (RGB, x/127.5 - 1).

${flagHelp(REPORT_FLAGS)}`;

/**
 * The dataset's name from its file: `lfw.bin` → `lfw`, `celeba-crops-pairs.txt` →
 * `celeba-crops-pairs`, and a generic `pairs.txt` takes its folder's name (`orl-faces/pairs.txt` →
 * `orl-faces`).
 */
export function datasetName(path: string): string {
  const stem = basename(path, extname(path));
  return stem.toLowerCase() === 'pairs' ? basename(dirname(resolve(path))) : stem;
}

/** A path the command reads, or an error naming the flag and the path. */
function existing(flag: string, path: string, file = path): string {
  if (!existsSync(file)) throw new Error(`--${flag} ${path}: ${resolve(file)} does not exist`);
  return path;
}

/** Every argument, checked before a backend is probed or an image is read. */
function checkedArgs(args: ParsedFlags) {
  const model = requiredFlag(args, 'model', '<dir|model.json|model.onnx>');
  const engine = stringFlag(args, 'engine') ?? 'tfjs';
  if (!ENGINES.includes(engine)) throw new UsageError(`--engine must be ${ENGINES.join(' or ')}, got ${JSON.stringify(engine)}`);
  if (engine === 'tfjs' && model.endsWith('.onnx')) throw new UsageError(`${model} is an ONNX model: pass --engine onnxruntime (or import it first: fr-import ${model} --out <folder>)`);
  const modelFile = resolve(engine === 'onnxruntime' || model.endsWith('.json') ? model : join(model, 'model.json'));
  const bin = stringFlag(args, 'bin');
  const pairs = stringFlag(args, 'pairs');
  const images = stringFlag(args, 'images');
  if (bin !== undefined && (pairs !== undefined || images !== undefined)) throw new UsageError('--bin replaces --pairs and --images: give one set');
  if (bin === undefined && (pairs === undefined || images === undefined)) {
    throw new UsageError(pairs === undefined && images === undefined ? 'no verification set: give --pairs <pairs.txt> --images <root>, or --bin <set.bin>' : `--${pairs === undefined ? 'images' : 'pairs'} needs --${pairs === undefined ? 'pairs' : 'images'} too`);
  }
  const backend = stringFlag(args, 'backend') ?? process.env.FR_BACKEND ?? 'auto';
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be ${BACKENDS.join(', ')}, got ${JSON.stringify(backend)}`);
  const batchSize = numberFlag(args, 'batch', { integer: true, min: 1 }) ?? 64;
  const threads = numberFlag(args, 'threads', { integer: true, min: 0 });
  existing('model', model, modelFile);
  const set = bin !== undefined ? { kind: 'bin' as const, bin: existing('bin', bin) } : { kind: 'pairs' as const, pairs: existing('pairs', pairs as string), images: existing('images', images as string) };
  const name = stringFlag(args, 'name') ?? datasetName(bin ?? (pairs as string));
  return { model, modelFile, engine, threads, set, backend, batchSize, name, flip: !args.flags.has('no-flip'), png: !args.flags.has('no-png'), outDir: stringFlag(args, 'out') ?? 'runs/report' };
}

type CheckedArgs = ReturnType<typeof checkedArgs>;

/** The model to evaluate: an @fr backbone on a tfjs backend, or an ONNX file in onnxruntime-node. */
async function openEngine(a: CheckedArgs, note: (line: string) => void): Promise<EmbeddingEngine> {
  if (a.engine === 'onnxruntime') {
    const onnx = await onnxEngine(a.modelFile, { threads: a.threads });
    note(`onnxruntime-node: ${onnx.name}, input ${onnx.preprocessing.inputSize}×${onnx.preprocessing.inputSize} ${onnx.preprocessing.colorOrder} ${onnx.preprocessing.normalization} (${onnx.preprocessingFrom})`);
    return onnx;
  }
  await selectBackend(a.backend, { log: note });
  return backboneEngine(await loadBackbone(pathToFileURL(a.modelFile).href));
}

/** `fr-bench report`: evaluate a saved backbone (or an ONNX model) on a pairs set and write the report. */
async function report(args: ParsedFlags, io: CliIo): Promise<void> {
  const a = checkedArgs(args);
  const out = (line: string): void => void io.stdout.write(`${line}\n`);
  const note = (line: string): void => void io.stderr.write(`${line}\n`);
  const engine = await openEngine(a, note);
  const set = a.set.kind === 'bin' ? VerificationSet.fromBin(a.set.bin) : VerificationSet.fromPairs(a.set.pairs, a.set.images);
  const started = Date.now();
  let progress: Progress | null = null;
  const verified = await verifyBackbone(engine, set, {
    batchSize: a.batchSize,
    flip: a.flip,
    onProgress: (done, total) => {
      progress ??= createProgress(io.stderr, { label: 'embedding', total, unit: 'images' });
      progress.update(done);
    },
  });
  (progress as Progress | null)?.end();
  const { report: r, files, pngSkipped } = await renderVerificationReport(
    {
      dataset: a.name,
      model: a.model,
      issame: set.issame,
      embeddings: verified.embeddings,
      flipped: verified.flipped,
      metadata: { backend: engine.runtime, architecture: engine.name, inputSize: engine.preprocessing.inputSize, seconds: Math.round((Date.now() - started) / 100) / 10 },
    },
    { outDir: a.outDir, png: a.png ? 'auto' : false },
  );
  await engine.dispose();
  out(`${a.name}: accuracy ${(100 * r.accuracy.mean).toFixed(2)}% ± ${(100 * r.accuracy.std).toFixed(2)}% over ${r.pairCount} pairs (${engine.name}, ${engine.runtime})`);
  if (r.roc.available) out(`  AUC ${r.roc.auc.toFixed(4)}, EER ${(100 * r.roc.eer).toFixed(2)}%, threshold ${r.threshold.squaredL2.toFixed(3)} (squared L2)`);
  for (const warning of r.warnings) out(`warning: ${warning}`);
  out(`report: ${files.html}`);
  out(`json:   ${files.json}`);
  if (pngSkipped) out(`png:    skipped (${pngSkipped})`);
}

/** `fr-bench report`. */
export const reportCommand: CliCommand = { usage: REPORT_USAGE, flags: REPORT_FLAGS, run: report };
