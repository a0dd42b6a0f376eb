/** `fr-data bin <pairs.txt> <image-root> <out.bin>`: a pairs list → insightface verification `.bin`. */
import { statSync } from 'node:fs';
import { createProgress } from '@fr/core';
import { flagHelp, numberFlag, stringFlag, UsageError, type CliCommand, type CliIo, type FlagSpec, type ParsedFlags } from '@fr/core/cli';
import { writeVerificationBin } from '../formats/verification-bin.js';
import type { PickleProtocol } from '../formats/pickle.js';
import { VerificationSet } from '../pairs/verification-set.js';
import { formatBytes, lineLogger } from './io.js';

const BIN_FLAGS: readonly FlagSpec[] = [
  { name: 'pattern', value: 'P', help: 'how pair tokens name files: auto (default), lfw (<name>/<name>_<NNNN>.jpg), verbatim (<name>/<token>), or a template such as {name}/{name}_{image:4}.png' },
  { name: 'size', value: 'N', help: 'fit images to N x N (re-encoding those of another size)' },
  { name: 'quality', value: 'Q', help: 'JPEG quality when re-encoding (default 95)' },
  { name: 'reencode', help: 're-encode every image' },
  { name: 'protocol', value: '2|3|4', help: 'pickle protocol (default 4)' },
  { name: 'bad-data', value: 'stop|skip', help: 'a pair naming a missing file: stop with an error (default) or drop the pair' },
];

const BIN_USAGE = `fr-data bin <pairs.txt> <image-root> <out.bin> [options]
  Writes the pairs as an insightface verification .bin: a pickle of (list of 2N JPEG bytes,
  list of N bools), readable by Python's pickle.load. 8-bit RGB JPEGs are stored byte for byte;
  other images are re-encoded as JPEG.
${flagHelp(BIN_FLAGS)}`;

function bin(args: ParsedFlags, io: CliIo): number {
  const [pairsPath, root, out, extra] = args.positional;
  if (!pairsPath || !root || !out || extra !== undefined) throw new UsageError('bin needs <pairs.txt> <image-root> <out.bin>');
  const protocol = numberFlag(args, 'protocol', { integer: true, min: 2, max: 4 }) ?? 4;
  const policy = stringFlag(args, 'bad-data') ?? 'stop';
  if (policy !== 'skip' && policy !== 'stop') throw new UsageError(`--bad-data must be skip or stop, got ${policy}`);
  const started = performance.now();
  const set = VerificationSet.fromPairs(pairsPath, root, { pattern: stringFlag(args, 'pattern'), badData: policy, log: lineLogger(io.stderr) });
  const progress = createProgress(io.stderr, { label: 'bin', total: set.refs.length, unit: 'images' });
  const bin = set.toBin({
    size: numberFlag(args, 'size', { integer: true, min: 1 }),
    quality: numberFlag(args, 'quality', { integer: true, min: 1, max: 100 }),
    reencode: args.flags.has('reencode'),
    onProgress: (done) => progress.update(done),
  });
  writeVerificationBin(out, bin, protocol as PickleProtocol);
  const same = bin.issame.filter(Boolean).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  progress.end(
    `fr-data bin: wrote ${bin.issame.length} pairs (${same} same, ${bin.issame.length - same} different), ${bin.images.length} images to ${out} (${formatBytes(statSync(out).size)}) in ${seconds} s`,
  );
  return 0;
}

/** `fr-data bin`. */
export const binCommand: CliCommand = { usage: BIN_USAGE, flags: BIN_FLAGS, run: bin };
