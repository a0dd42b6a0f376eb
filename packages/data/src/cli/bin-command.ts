/** `fr-data bin <pairs.txt> <image-root> <out.bin>`: a pairs list → insightface verification `.bin`. */
import { statSync } from 'node:fs';
import { writeVerificationBin } from '../formats/verification-bin.js';
import type { PickleProtocol } from '../formats/pickle.js';
import { VerificationSet } from '../pairs/verification-set.js';
import { checkOptions, intOption, stringOption, UsageError, type ParsedArgs } from './args.js';
import { formatBytes, lineLogger, type CliIo } from './io.js';
import { createProgress } from './progress.js';

export const BIN_USAGE = `fr-data bin <pairs.txt> <image-root> <out.bin> [options]
  Writes the pairs as an insightface verification .bin: a pickle of (list of 2N JPEG bytes,
  list of N bools), readable by Python's pickle.load. 8-bit RGB JPEGs are stored byte for byte;
  other images are re-encoded as JPEG.
  --pattern P            how pair tokens name files: auto (default), lfw (<name>/<name>_<NNNN>.jpg),
                         verbatim (<name>/<token>), or a template such as {name}/{name}_{image:4}.png
  --size N               fit images to N x N (re-encoding those of another size)
  --quality Q            JPEG quality when re-encoding (default 95)
  --reencode             re-encode every image
  --protocol 2|3|4       pickle protocol (default 4)
  --bad-data stop|skip   a pair naming a missing file: stop with an error (default) or drop the pair`;

export const BIN_VALUED = ['pattern', 'size', 'quality', 'protocol', 'bad-data'];

export function binCommand(args: ParsedArgs, io: CliIo): number {
  checkOptions(args, [...BIN_VALUED, 'reencode']);
  const [pairsPath, root, out, extra] = args.positionals;
  if (!pairsPath || !root || !out || extra !== undefined) throw new UsageError('bin needs <pairs.txt> <image-root> <out.bin>');
  const protocol = intOption(args, 'protocol', 2, 4) ?? 4;
  const policy = stringOption(args, 'bad-data') ?? 'stop';
  if (policy !== 'skip' && policy !== 'stop') throw new UsageError(`--bad-data must be skip or stop, got ${policy}`);
  const started = performance.now();
  const set = VerificationSet.fromPairs(pairsPath, root, { pattern: stringOption(args, 'pattern'), badData: policy, log: lineLogger(io.stderr) });
  const progress = createProgress(io.stderr, set.refs.length, 'bin');
  const bin = set.toBin({
    size: intOption(args, 'size'),
    quality: intOption(args, 'quality', 1, 100),
    reencode: args.options.has('reencode'),
    onProgress: (done) => progress.update(done),
  });
  writeVerificationBin(out, bin, protocol as PickleProtocol);
  const same = bin.issame.filter(Boolean).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  progress.finish(
    `fr-data bin: wrote ${bin.issame.length} pairs (${same} same, ${bin.issame.length - same} different), ${bin.images.length} images to ${out} (${formatBytes(statSync(out).size)}) in ${seconds} s`,
  );
  return 0;
}
