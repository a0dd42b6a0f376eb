/** `fr-data rec <imagefolder> <out-prefix>`: an ImageFolder tree → insightface `.rec` + `.idx`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createProgress } from '@fr/core';
import { flagHelp, numberFlag, stringFlag, UsageError, type CliCommand, type CliIo, type FlagSpec, type ParsedFlags } from '@fr/core/cli';
import { scanImageFolder } from '../dataset/scan-image-folder.js';
import { readIdentityList } from '../dataset/identity-split.js';
import { DataError, dataError, errorMessage, IssueLog } from '../errors.js';
import { encodeForContainer } from '../formats/container-image.js';
import { InsightfaceRecWriter, recordPaths } from '../formats/insightface-rec.js';
import { probeImage } from '../image/probe.js';
import { formatBytes, lineLogger } from './io.js';

const REC_FLAGS: readonly FlagSpec[] = [
  { name: 'size', value: 'N', help: 'fit images to N x N (re-encoding those of another size)' },
  { name: 'quality', value: 'Q', help: 'JPEG quality when re-encoding (default 95)' },
  { name: 'reencode', help: 're-encode every image' },
  { name: 'exclude-list', value: 'FILE', help: 'leave out the identities listed in FILE (one per line, # comments)' },
  { name: 'include-list', value: 'FILE', help: 'only the identities listed in FILE' },
  { name: 'limit-per-class', value: 'N', help: 'at most N images per identity' },
  { name: 'bad-data', value: 'skip|stop', help: 'bad files: skip with a message (default) or stop with an error' },
  { name: 'property', help: 'also write <dir>/property ("classes,height,width", as insightface)' },
  { name: 'classes', help: 'also write <out-prefix>.classes.txt (line k = name of class k)' },
];

const REC_USAGE = `fr-data rec <imagefolder> <out-prefix> [options]
  Packs root/<identity>/<image> into <out-prefix>.rec and <out-prefix>.idx (insightface layout:
  header record 0, image records with the class as label, one identity record per class).
  Class index = position of the identity in sorted order. 8-bit RGB JPEGs are stored byte for
  byte; other images are re-encoded as JPEG.
${flagHelp(REC_FLAGS)}`;

function rec(args: ParsedFlags, io: CliIo): number {
  const [folder, prefix, extra] = args.positional;
  if (!folder || !prefix || extra !== undefined) throw new UsageError('rec needs <imagefolder> <out-prefix>');
  const size = numberFlag(args, 'size', { integer: true, min: 1 });
  const quality = numberFlag(args, 'quality', { integer: true, min: 1, max: 100 });
  const policy = stringFlag(args, 'bad-data') ?? 'skip';
  if (policy !== 'skip' && policy !== 'stop') throw new UsageError(`--bad-data must be skip or stop, got ${policy}`);
  const excludeList = stringFlag(args, 'exclude-list');
  const includeList = stringFlag(args, 'include-list');
  const started = performance.now();
  const log = lineLogger(io.stderr);
  const scan = scanImageFolder(folder, {
    exclude: excludeList ? readIdentityList(excludeList) : undefined,
    include: includeList ? readIdentityList(includeList) : undefined,
    limitPerClass: numberFlag(args, 'limit-per-class', { integer: true, min: 1 }),
  });
  const issues = new IssueLog(policy, log);
  for (const id of scan.emptyIdentities) {
    const dir = join(folder, id);
    issues.report(dataError('empty-identity', dir, `identity folder has no image files (class ${scan.classNames.indexOf(id)} kept with 0 images): ${dir}`).issue);
  }
  const writer = InsightfaceRecWriter.create(prefix);
  const progress = createProgress(io.stderr, { label: 'rec', total: scan.files.length, unit: 'images' });
  let height: number | undefined;
  let width: number | undefined;
  try {
    scan.files.forEach((f, i) => {
      try {
        const bytes = readFileSync(f.path);
        const data = encodeForContainer(bytes, f.path, { size, quality, reencode: args.flags.has('reencode') });
        if (height === undefined) {
          const info = probeImage(data, f.path);
          height = info.height;
          width = info.width;
        }
        writer.addImage(f.label, data);
      } catch (e) {
        if (!(e instanceof DataError)) throw dataError('unreadable', f.path, `cannot read ${f.path}: ${errorMessage(e)}`, { cause: e });
        issues.report(e.issue, e);
      }
      progress.update(i + 1);
    });
  } catch (e) {
    writer.close(scan.classNames.length);
    throw e;
  }
  const summary = writer.close(scan.classNames.length);
  if (args.flags.has('property')) {
    writeFileSync(join(dirname(prefix), 'property'), `${scan.classNames.length},${size ?? height ?? 112},${size ?? width ?? 112}\n`);
  }
  if (args.flags.has('classes')) writeFileSync(`${recordPaths(prefix).rec.replace(/\.rec$/, '')}.classes.txt`, scan.classNames.map((n) => `${n}\n`).join(''));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const skipped = issues.count();
  progress.end(
    `fr-data rec: wrote ${summary.images} images of ${summary.identities} identities to ${summary.recPath} (${formatBytes(summary.bytes)}) and ${summary.idxPath} in ${seconds} s` +
      (skipped > 0 ? `; skipped ${skipped} bad file(s)` : ''),
  );
  return 0;
}

/** `fr-data rec`. */
export const recCommand: CliCommand = { usage: REC_USAGE, flags: REC_FLAGS, run: rec };
