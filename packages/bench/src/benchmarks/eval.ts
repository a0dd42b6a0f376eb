/**
 * Suite `eval`: the time to evaluate the 3000 CelebA-crop pairs (celeba-crops-pairs.txt) with a
 * MobileFaceNet — decode, embed every image and its mirror image, then the insightface protocol
 * (10 folds, XNorm) and the ROC. The default run embeds a subset of the pairs and extrapolates the
 * embedding time to 3000 pairs (the protocol itself is always timed at 3000 pairs); `--full` or
 * `--eval-pairs 3000` embeds them all.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Rng, type Backbone } from '@fr/core';
import { createBackbone, loadBackbone } from '@fr/backbones';
import '@fr/backbones/node';
import { VerificationSet, formatPairs, readPairsFile } from '@fr/data';
import { embedVerificationSet } from '../evaluate/embed-set.js';
import { evaluateVerification } from '../eval/verification.js';
import { auc, rocCurve } from '../eval/roc.js';
import { pairScores } from '../eval/scores.js';
import { numberFlag, stringFlag } from '@fr/core/cli';
import { dataDirDescription, sharedDataDir } from './loader.js';
import { fmt } from './stats.js';
import type { BenchContext, BenchTable, Suite, SuiteResult } from './types.js';

/** Writes a pairs file holding the first `count/2` matched and `count/2` mismatched pairs (one fold). */
export function writePairsSubset(pairsPath: string, count: number, dir: string): string {
  const file = readPairsFile(pairsPath);
  const half = Math.max(1, Math.floor(count / 2));
  const same = file.pairs.filter((p) => p.same).slice(0, half);
  const diff = file.pairs.filter((p) => !p.same).slice(0, half);
  const k = Math.min(same.length, diff.length);
  const out = join(dir, `pairs-first-${2 * k}.txt`);
  writeFileSync(out, formatPairs({ folds: 1, pairsPerFold: k, pairs: [...same.slice(0, k), ...diff.slice(0, k)] }));
  return out;
}

async function modelFor(ctx: BenchContext): Promise<{ backbone: Backbone; description: string }> {
  const model = stringFlag(ctx.args, 'model') ?? '';
  if (model) {
    const abs = resolve(model);
    const backbone = await loadBackbone(`file://${abs.endsWith('.json') ? abs : `${abs}/model.json`}`);
    return { backbone, description: `saved ${backbone.name} from ${model}` };
  }
  const inputSize = numberFlag(ctx.args, 'eval-size') ?? 112;
  const backbone = createBackbone('mobilefacenet', { inputSize, embeddingSize: 512 }, { rng: Rng.fromSeed(7) });
  return { backbone, description: `untrained mobilefacenet ${inputSize}×${inputSize}, d=512 (random weights: the accuracy is meaningless, the time is not)` };
}

/** The protocol (10-fold accuracy + XNorm, ROC, AUC) on embeddings; returns seconds. */
function protocolSeconds(embeddings: Float32Array, flipped: Float32Array, issame: readonly boolean[], cols: number): { seconds: number; accuracy: number; auc: number } {
  const rows = issame.length * 2;
  const start = performance.now();
  const e = { data: embeddings, rows, cols };
  const f = { data: flipped, rows, cols };
  const result = evaluateVerification(e, issame, { flipped: f });
  const roc = rocCurve(pairScores(e, { flipped: f }).cosine, issame);
  const area = auc(roc);
  return { seconds: (performance.now() - start) / 1000, accuracy: result.accuracyMean, auc: area };
}

export const evalSuite: Suite = {
  name: 'eval',
  title: 'evaluating 3000 pairs (decode + embed orig+flip + protocol)',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const data = sharedDataDir(ctx);
    const pairsPath = data ? join(data, 'celeba-crops-pairs.txt') : null;
    const root = data ? join(data, 'celeba-crops') : null;
    if (!pairsPath || !root || !existsSync(pairsPath) || !existsSync(root)) {
      return {
        suite: 'eval', title: this.title, status: 'skipped',
        reason: `no celeba-crops-pairs.txt + celeba-crops/ in ${data ?? dataDirDescription(ctx)} (set FR_DATA_DIR or --data-dir)`,
        config: {}, tables: [], charts: [], data: null,
      };
    }
    const totalPairs = readPairsFile(pairsPath).pairs.length;
    const wanted = Math.min(totalPairs, numberFlag(ctx.args, 'eval-pairs') ?? (ctx.quick ? 20 : ctx.full ? totalPairs : 100));
    const batchSize = numberFlag(ctx.args, 'eval-batch') ?? 64;
    const tmp = mkdtempSync(join(tmpdir(), 'fr-bench-eval-'));
    const { backbone, description } = await modelFor(ctx);
    try {
      const setPath = wanted >= totalPairs ? pairsPath : writePairsSubset(pairsPath, wanted, tmp);
      const set = VerificationSet.fromPairs(setPath, root);
      const size = backbone.preprocessing.inputSize;
      // Decode alone, on the main thread: the decoding share of the work.
      ctx.progress(`eval: decoding ${set.size * 2} images in-thread`);
      const decodeStart = performance.now();
      let decoded = 0;
      for await (const b of set.batches({ batchSize, inputSize: size, workers: 0, normalization: backbone.preprocessing.normalization, colorOrder: backbone.preprocessing.colorOrder })) decoded += b.shape[0];
      const decodeSeconds = (performance.now() - decodeStart) / 1000;
      // Decode (1 worker) + embed orig and flip, as `fr-bench report` does.
      const embedStart = performance.now();
      const embedded = await embedVerificationSet(backbone, set, {
        // Every image of every pair: this suite measures the cost per image.
        batchSize, flip: true, workers: 1, distinct: false,
        onProgress: (done, total) => ctx.progress(`eval: embedding ${done}/${total} images (orig + flip) on ${ctx.backend.name}`),
      });
      const embedSeconds = (performance.now() - embedStart) / 1000;
      const cols = backbone.embeddingSize;
      const own = protocolSeconds(embedded.embeddings.data as Float32Array, (embedded.flipped?.data ?? embedded.embeddings.data) as Float32Array, set.issame, cols);
      // The protocol at the full size, on random embeddings (its cost does not depend on the values).
      const rng = Rng.fromSeed(3);
      const fullIssame = Array.from({ length: totalPairs }, (_, i) => i % 2 === 0);
      const full = protocolSeconds(rng.fillNormal(new Float32Array(totalPairs * 2 * cols)), rng.fillNormal(new Float32Array(totalPairs * 2 * cols)), fullIssame, cols);
      const images = set.size * 2 * 2;
      const perImage = embedSeconds / images;
      const extrapolated = perImage * totalPairs * 4 + full.seconds;
      const measuredAll = set.size >= totalPairs;
      const table: BenchTable = {
        title: `Evaluation on ${ctx.backend.name}: ${description}, batch ${batchSize}; ${set.size} of ${totalPairs} pairs embedded`,
        columns: ['part', 'images', 'seconds', 'img/s'],
        rows: [
          ['decode only (main thread, 1 core)', String(decoded), fmt(decodeSeconds), fmt(decoded / decodeSeconds)],
          ['decode (1 worker) + embed orig + flip', String(images), fmt(embedSeconds), fmt(images / embedSeconds)],
          [`protocol on these ${set.size} pairs (10 folds, XNorm, ROC)`, '', fmt(own.seconds), ''],
          [`protocol on ${totalPairs} pairs`, '', fmt(full.seconds), ''],
          [`${measuredAll ? 'total' : 'estimated total'} for ${totalPairs} pairs`, String(totalPairs * 4), fmt(measuredAll ? embedSeconds + own.seconds : extrapolated), ''],
        ],
        notes: [
          measuredAll ? 'all pairs embedded' : `estimate = embedding time per image × ${totalPairs * 4} images + protocol time at ${totalPairs} pairs; --eval-pairs ${totalPairs} (or --full) measures it all`,
          `accuracy on the embedded pairs ${(100 * own.accuracy).toFixed(1)}%, AUC ${own.auc.toFixed(3)} (${stringFlag(ctx.args, 'model') ? 'saved model' : 'untrained network: chance level expected'})`,
        ],
      };
      return {
        suite: 'eval', title: this.title, status: 'ok',
        config: { backend: ctx.backend.name, model: description, inputSize: size, batchSize, pairs: set.size, totalPairs },
        tables: [table],
        charts: [{
          title: `Evaluating ${totalPairs} pairs (${ctx.backend.name}, ${backbone.name})`,
          unit: 'seconds (lower is better)',
          bars: [
            { group: `${set.size} pairs`, series: 'decode + embed', value: embedSeconds },
            { group: `${set.size} pairs`, series: 'protocol', value: own.seconds },
            { group: `${totalPairs} pairs`, series: 'decode + embed', value: measuredAll ? embedSeconds : perImage * totalPairs * 4, note: measuredAll ? undefined : '(estimated)' },
            { group: `${totalPairs} pairs`, series: 'protocol', value: full.seconds },
          ],
        }],
        data: { decoded, decodeSeconds, images, embedSeconds, protocolSeconds: own.seconds, protocolFullSeconds: full.seconds, estimatedTotalSeconds: extrapolated, accuracy: own.accuracy, auc: own.auc, measuredAll },
      };
    } finally {
      backbone.module.dispose();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
