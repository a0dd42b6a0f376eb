/** `fr-data rec <imagefolder> <out-prefix>`: an ImageFolder tree → insightface `.rec` + `.idx`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scanImageFolder } from '../dataset/scan-image-folder.js';
import { readIdentityList } from '../dataset/identity-split.js';
import { DataError, dataError, errorMessage, IssueLog } from '../errors.js';
import { encodeForContainer } from '../formats/container-image.js';
import { InsightfaceRecWriter, recordPaths } from '../formats/insightface-rec.js';
import { probeImage } from '../image/probe.js';
import { checkOptions, intOption, stringOption, UsageError, type ParsedArgs } from './args.js';
import { formatBytes, lineLogger, type CliIo } from './io.js';
import { createProgress } from './progress.js';

export const REC_USAGE = `fr-data rec <imagefolder> <out-prefix> [options]
  Packs root/<identity>/<image> into <out-prefix>.rec and <out-prefix>.idx (insightface layout:
  header record 0, image records with the class as label, one identity record per class).
  Class index = position of the identity in sorted order. 8-bit RGB JPEGs are stored byte for
  byte; other images are re-encoded as JPEG.
  --size N               fit images to N x N (re-encoding those of another size)
  --quality Q            JPEG quality when re-encoding (default 95)
  --reencode             re-encode every image
  --exclude-list FILE    leave out the identities listed in FILE (one per line, # comments)
  --include-list FILE    only the identities listed in FILE
  --limit-per-class N    at most N images per identity
  --bad-data skip|stop   bad files: skip with a message (default) or stop with an error
  --property             also write <dir>/property ("classes,height,width", as insightface)
  --classes              also write <out-prefix>.classes.txt (line k = name of class k)`;

export const REC_VALUED = ['size', 'quality', 'exclude-list', 'include-list', 'limit-per-class', 'bad-data'];

export function recCommand(args: ParsedArgs, io: CliIo): number {
  checkOptions(args, [...REC_VALUED, 'reencode', 'property', 'classes']);
  const [folder, prefix, extra] = args.positionals;
  if (!folder || !prefix || extra !== undefined) throw new UsageError('rec needs <imagefolder> <out-prefix>');
  const size = intOption(args, 'size');
  const quality = intOption(args, 'quality', 1, 100);
  const policy = stringOption(args, 'bad-data') ?? 'skip';
  if (policy !== 'skip' && policy !== 'stop') throw new UsageError(`--bad-data must be skip or stop, got ${policy}`);
  const excludeList = stringOption(args, 'exclude-list');
  const includeList = stringOption(args, 'include-list');
  const started = performance.now();
  const log = lineLogger(io.stderr);
  const scan = scanImageFolder(folder, {
    exclude: excludeList ? readIdentityList(excludeList) : undefined,
    include: includeList ? readIdentityList(includeList) : undefined,
    limitPerClass: intOption(args, 'limit-per-class'),
  });
  const issues = new IssueLog(policy, log);
  for (const id of scan.emptyIdentities) {
    const dir = join(folder, id);
    issues.report(dataError('empty-identity', dir, `identity folder has no image files (class ${scan.classNames.indexOf(id)} kept with 0 images): ${dir}`).issue);
  }
  const writer = InsightfaceRecWriter.create(prefix);
  const progress = createProgress(io.stderr, scan.files.length, 'rec');
  let height: number | undefined;
  let width: number | undefined;
  try {
    scan.files.forEach((f, i) => {
      try {
        const bytes = readFileSync(f.path);
        const data = encodeForContainer(bytes, f.path, { size, quality, reencode: args.options.has('reencode') });
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
  if (args.options.has('property')) {
    writeFileSync(join(dirname(prefix), 'property'), `${scan.classNames.length},${size ?? height ?? 112},${size ?? width ?? 112}\n`);
  }
  if (args.options.has('classes')) writeFileSync(`${recordPaths(prefix).rec.replace(/\.rec$/, '')}.classes.txt`, scan.classNames.map((n) => `${n}\n`).join(''));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const skipped = issues.count();
  progress.finish(
    `fr-data rec: wrote ${summary.images} images of ${summary.identities} identities to ${summary.recPath} (${formatBytes(summary.bytes)}) and ${summary.idxPath} in ${seconds} s` +
      (skipped > 0 ? `; skipped ${skipped} bad file(s)` : ''),
  );
  return 0;
}
