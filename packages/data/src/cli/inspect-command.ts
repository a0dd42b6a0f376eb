/** `fr-data inspect <file>`: what a `.rec`/`.idx` or `.bin` holds. */
import { statSync } from 'node:fs';
import { flagHelp, UsageError, type CliCommand, type CliIo, type FlagSpec, type ParsedFlags } from '@fr/core/cli';
import { DataError, errorMessage } from '../errors.js';
import { InsightfaceRec } from '../formats/insightface-rec.js';
import { readVerificationBin } from '../formats/verification-bin.js';
import { probeImage } from '../image/probe.js';
import { formatBytes } from './io.js';

const INSPECT_FLAGS: readonly FlagSpec[] = [{ name: 'json', help: 'print one JSON object instead of text' }];

const INSPECT_USAGE = `fr-data inspect <file.rec|file.idx|prefix|file.bin> [--json]
  Summarises a RecordIO training set (layout, images, classes, images per class, image sizes)
  or a verification .bin (pairs, same/different, image sizes).
${flagHelp(INSPECT_FLAGS)}`;

/** Counts `WxH format` over some encoded images (header probes only). */
function imageSizes(images: Iterable<{ bytes: Uint8Array; id: string }>): { sizes: Record<string, number>; bad: string[] } {
  const sizes: Record<string, number> = {};
  const bad: string[] = [];
  for (const { bytes, id } of images) {
    try {
      const info = probeImage(bytes, id);
      const key = `${info.width}x${info.height} ${info.format}${info.conversions.length ? ` (${info.conversions.join(', ')})` : ''}`;
      sizes[key] = (sizes[key] ?? 0) + 1;
    } catch (e) {
      bad.push(e instanceof DataError ? e.message : `${id}: ${errorMessage(e)}`);
    }
  }
  return { sizes, bad };
}

const SAMPLE = 1000;

function inspect(args: ParsedFlags, io: CliIo): number {
  const [path, extra] = args.positional;
  if (!path || extra !== undefined) throw new UsageError('inspect needs one file');
  const json = args.flags.has('json');
  let report: Record<string, unknown>;
  let lines: string[];
  if (path.endsWith('.bin')) {
    const bin = readVerificationBin(path);
    const same = bin.issame.filter(Boolean).length;
    const { sizes, bad } = imageSizes(bin.images.map((bytes, i) => ({ bytes, id: `${path}[${i}]` })));
    report = { kind: 'verification-bin', path, bytes: statSync(path).size, pairs: bin.issame.length, same, different: bin.issame.length - same, images: bin.images.length, imageSizes: sizes, badImages: bad };
    lines = [
      `${path}: insightface verification .bin, ${formatBytes(statSync(path).size)}`,
      `  pairs: ${bin.issame.length} (${same} same, ${bin.issame.length - same} different), images: ${bin.images.length}`,
      `  image sizes: ${Object.entries(sizes).map(([k, v]) => `${k} × ${v}`).join(', ') || 'none'}`,
      ...bad.slice(0, 10).map((m) => `  bad image: ${m}`),
    ];
  } else {
    const rec = InsightfaceRec.open(path);
    try {
      const perClass = new Array<number>(rec.numClasses).fill(0);
      for (const img of rec.images) perClass[img.label] = (perClass[img.label] ?? 0) + 1;
      const sorted = [...perClass].sort((a, b) => a - b);
      const sample = rec.images.slice(0, SAMPLE).map((_, i) => ({ bytes: rec.readImage(i).data, id: `${rec.recPath}#${rec.images[i]?.key}` }));
      const { sizes, bad } = imageSizes(sample);
      const layout = rec.header0
        ? `insightface layout (record 0: images 1..${rec.images.length > 0 ? Math.max(...rec.images.slice(-1).map((i) => i.key)) : 0}, ${rec.identities?.length ?? 0} identity records)`
        : 'flat list of image records (no header record)';
      const classStats = sorted.length > 0 ? { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1], empty: perClass.filter((n) => n === 0).length } : undefined;
      report = { kind: 'recordio', path: rec.recPath, index: rec.idxPath ?? null, bytes: statSync(rec.recPath).size, layout: rec.header0 ? 'insightface' : 'flat', images: rec.images.length, classes: rec.numClasses, imagesPerClass: classStats ?? null, imageSizes: sizes, sampled: sample.length, badImages: bad };
      lines = [
        `${rec.recPath}: ${layout}, ${formatBytes(statSync(rec.recPath).size)}${rec.idxPath ? '' : ' (no .idx: rebuilt by scanning)'}`,
        `  images: ${rec.images.length}, classes: ${rec.numClasses}`,
        classStats ? `  images per class: min ${classStats.min}, median ${classStats.median}, max ${classStats.max}${classStats.empty ? `, ${classStats.empty} empty` : ''}` : '  no images',
        `  image sizes (first ${sample.length}): ${Object.entries(sizes).map(([k, v]) => `${k} × ${v}`).join(', ') || 'none'}`,
        ...bad.slice(0, 10).map((m) => `  bad image: ${m}`),
      ];
    } finally {
      rec.close();
    }
  }
  io.stdout.write(json ? `${JSON.stringify(report)}\n` : `${lines.join('\n')}\n`);
  return 0;
}

/** `fr-data inspect`. */
export const inspectCommand: CliCommand = { usage: INSPECT_USAGE, flags: INSPECT_FLAGS, run: inspect };
