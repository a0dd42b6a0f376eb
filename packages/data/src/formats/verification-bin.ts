/**
 * insightface verification sets (`lfw.bin`, `cfp_fp.bin`, `agedb_30.bin`): a pickle of
 * `(bins, issame_list)` where `bins` holds 2N encoded images (pairs at 2k, 2k+1) and
 * `issame_list` N booleans.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dataError, errorMessage } from '../errors.js';
import { pickleDumps, pickleLoads, PyTuple, type PickleProtocol, type PickleValue } from './pickle.js';

/** The contents of a `.bin`: `images[2k]` and `images[2k+1]` form pair k. */
export interface VerificationBin {
  readonly images: readonly Uint8Array[];
  readonly issame: readonly boolean[];
}

/**
 * Parses `.bin` bytes (pickle protocols 0–5; Python 2 files included).
 *
 * @example
 * ```ts
 * const { images, issame } = parseVerificationBin(readFileSync('lfw.bin'), 'lfw.bin');
 * ```
 */
export function parseVerificationBin(bytes: Uint8Array, file = '<memory>'): VerificationBin {
  let value: PickleValue;
  try {
    value = pickleLoads(bytes, file);
  } catch (e) {
    throw dataError('bad-container', file, `not a readable verification .bin (${errorMessage(e)}): ${file}`, { cause: e });
  }
  const parts = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : undefined;
  if (!parts || parts.length !== 2) throw dataError('bad-container', file, `verification .bin must hold a pair (bins, issame_list): ${file}`);
  const [bins, flags] = parts as [PickleValue, PickleValue];
  if (!Array.isArray(bins) || !bins.every((b) => b instanceof Uint8Array)) {
    throw dataError('bad-container', file, `verification .bin: the first element must be a list of bytes: ${file}`);
  }
  if (!Array.isArray(flags) || !flags.every((f) => typeof f === 'boolean' || f === 0 || f === 1)) {
    throw dataError('bad-container', file, `verification .bin: the second element must be a list of bools: ${file}`);
  }
  if (bins.length !== 2 * flags.length) {
    throw dataError('bad-container', file, `verification .bin has ${bins.length} images for ${flags.length} pairs (expected ${2 * flags.length}): ${file}`);
  }
  return { images: bins as Uint8Array[], issame: flags.map((f) => f === true || f === 1) };
}

/**
 * Reads a `.bin` file.
 *
 * @example
 * ```ts
 * const { images, issame } = readVerificationBin('faces_emore/lfw.bin'); // 12000 JPEGs, 6000 flags
 * ```
 */
export function readVerificationBin(path: string): VerificationBin {
  return parseVerificationBin(readFileSync(path), path);
}

/**
 * Encodes a `.bin` as a pickle that Python's `pickle.load` reads as `(list of bytes, list of bool)`
 * (protocol 4 by default; 2 and 3 on request).
 */
export function encodeVerificationBin(bin: VerificationBin, protocol: PickleProtocol = 4): Uint8Array {
  if (bin.images.length !== 2 * bin.issame.length) {
    throw new Error(`a verification .bin needs 2 images per pair: ${bin.images.length} images for ${bin.issame.length} pairs`);
  }
  return pickleDumps(new PyTuple([[...bin.images], [...bin.issame]]), protocol);
}

/**
 * Writes a `.bin` file.
 *
 * @example
 * ```ts
 * writeVerificationBin('mine.bin', { images: [a1, a2, b1, b2], issame: [true, false] });
 * ```
 */
export function writeVerificationBin(path: string, bin: VerificationBin, protocol: PickleProtocol = 4): void {
  writeFileSync(path, encodeVerificationBin(bin, protocol));
}
