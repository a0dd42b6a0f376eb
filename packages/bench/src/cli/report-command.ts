import { basename, dirname, extname, resolve } from 'node:path';
import { selectBackend } from '@fr/core';
import { loadBackbone } from '@fr/backbones';
import '@fr/backbones/node';
import { VerificationSet } from '@fr/data';
import { verifyBackbone } from '../evaluate/verify-backbone.js';
import { renderVerificationReport } from '../report/render.js';
import { flag, numberFlag, type ParsedArgs } from './args.js';

export const reportUsage = `fr-bench report --model <dir|model.json> (--pairs <pairs.txt> --images <root> | --bin <set.bin>) [--out runs/report] [--name <dataset: default from the file name>] [--batch 64] [--no-flip] [--backend auto]

Evaluates a saved backbone with the insightface verification protocol (orig + flip embeddings,
10 folds) and writes <out>/<name>.json, .html and ROC / score-distribution / fold plots (SVG, PNG).`;

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

/** `fr-bench report`: evaluate a saved backbone on a pairs set and write the report. */
export async function reportCommand(args: ParsedArgs, out: (line: string) => void): Promise<void> {
  const backend = await selectBackend(flag(args, 'backend', process.env.FR_BACKEND ?? 'auto'), { log: out });
  const model = flag(args, 'model');
  const backbone = await loadBackbone(modelUrl(model));
  const bin = args.flags.get('bin');
  const set = typeof bin === 'string'
    ? VerificationSet.fromBin(bin)
    : VerificationSet.fromPairs(flag(args, 'pairs'), flag(args, 'images'));
  const name = flag(args, 'name', datasetName(typeof bin === 'string' ? bin : flag(args, 'pairs')));
  const flip = !args.flags.has('no-flip');
  const tty = Boolean(process.stderr.isTTY);
  const started = Date.now();
  const verified = await verifyBackbone(backbone, set, {
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
      metadata: { backend: backend.name, architecture: backbone.name, inputSize: backbone.preprocessing.inputSize, seconds: Math.round((Date.now() - started) / 100) / 10 },
    },
    { outDir: flag(args, 'out', 'runs/report') },
  );
  out(`${name}: accuracy ${(100 * report.accuracy.mean).toFixed(2)}% ± ${(100 * report.accuracy.std).toFixed(2)}% over ${report.pairCount} pairs (${backbone.name}, ${backend.name})`);
  out(`report: ${files.html}`);
  out(`json:   ${files.json}`);
  if (pngSkipped) out(`png:    skipped (${pngSkipped})`);
}
