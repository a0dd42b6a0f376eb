/**
 * LFW `pairs.txt` parsing. The first line gives the layout: `folds pairsPerFold` (e.g. `10 300`:
 * 10 folds of 300 matched then 300 mismatched pairs) or a single count `N` (one fold of N + N,
 * as in `pairsDevTrain.txt`). Each further line is a matched pair `name image1 image2` or a
 * mismatched pair `name1 image1 name2 image2`; image tokens are LFW numbers (`1`, `0004`) or file
 * names (`050420.jpg`), see {@link FilePattern}. Each fold must hold `pairsPerFold` matched and
 * `pairsPerFold` mismatched pairs (in any order; LFW puts the matched ones first).
 */
import { readFileSync } from 'node:fs';
import { dataError } from '../errors.js';

/** One pair line. */
export interface PairEntry {
  /** 1-based line number in the pairs file. */
  readonly line: number;
  /** 0-based fold, from the line's position (`floor(index / (2·pairsPerFold))`). */
  readonly fold: number;
  readonly same: boolean;
  readonly name1: string;
  readonly image1: string;
  readonly name2: string;
  readonly image2: string;
}

/** A parsed pairs file. */
export interface PairsFile {
  /** Where it was read from (named in messages). */
  readonly file: string;
  readonly folds: number;
  /** Matched pairs per fold (and as many mismatched). */
  readonly pairsPerFold: number;
  readonly pairs: readonly PairEntry[];
}

/**
 * Parses pairs text. Throws a {@link DataError} (`bad-line`) naming the file and line for a
 * malformed line or a pair count that contradicts the header.
 *
 * @example
 * ```ts
 * const p = parsePairs('1 1\nAbel 1 2\nAbel 1 Zoe 3\n', 'pairs.txt');
 * p.pairs[1]; // { line: 3, fold: 0, same: false, name1: 'Abel', image1: '1', name2: 'Zoe', image2: '3' }
 * ```
 */
export function parsePairs(text: string, file = '<memory>'): PairsFile {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && (lines[first] as string).trim() === '') first++;
  const head = (lines[first] ?? '').trim().split(/\s+/);
  if (head.length > 2 || !head.every((t) => /^\d+$/.test(t))) {
    throw dataError('bad-line', file, `${file}:${first + 1}: expected a header "folds pairsPerFold" (e.g. "10 300"), got ${JSON.stringify((lines[first] ?? '').slice(0, 80))}`, { line: first + 1 });
  }
  const folds = head.length === 2 ? Number(head[0]) : 1;
  const pairsPerFold = Number(head.length === 2 ? head[1] : head[0]);
  if (folds < 1 || pairsPerFold < 1) throw dataError('bad-line', file, `${file}:${first + 1}: header needs positive numbers`, { line: first + 1 });
  const perFold = 2 * pairsPerFold;
  const pairs: PairEntry[] = [];
  for (let i = first + 1; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    const t = raw.split(/\s+/);
    const line = i + 1;
    const fold = Math.floor(pairs.length / perFold);
    if (t.length === 3) pairs.push({ line, fold, same: true, name1: t[0] as string, image1: t[1] as string, name2: t[0] as string, image2: t[2] as string });
    else if (t.length === 4) pairs.push({ line, fold, same: false, name1: t[0] as string, image1: t[1] as string, name2: t[2] as string, image2: t[3] as string });
    else {
      throw dataError('bad-line', file, `${file}:${line}: expected "name image1 image2" or "name1 image1 name2 image2", got ${t.length} fields: ${JSON.stringify(raw.slice(0, 80))}`, { line });
    }
  }
  if (pairs.length !== folds * perFold) {
    throw dataError('bad-line', file, `${file}: header announces ${folds} fold(s) of ${pairsPerFold}+${pairsPerFold} pairs (${folds * perFold}) but the file has ${pairs.length} pair lines`, { line: first + 1 });
  }
  for (let f = 0; f < folds; f++) {
    const fold = pairs.slice(f * perFold, (f + 1) * perFold);
    const same = fold.filter((p) => p.same).length;
    if (same !== pairsPerFold) {
      const first = fold[0] as PairEntry;
      throw dataError('bad-line', file, `${file}: fold ${f + 1} (lines ${first.line}–${(fold.at(-1) as PairEntry).line}) has ${same} matched and ${perFold - same} mismatched pairs, the header announces ${pairsPerFold} of each`, { line: first.line });
    }
  }
  return { file, folds, pairsPerFold, pairs };
}

/**
 * Reads and parses a pairs file.
 *
 * @example
 * ```ts
 * const { folds, pairs } = readPairsFile('lfw/pairs.txt'); // 10 folds, 6000 pairs
 * ```
 */
export function readPairsFile(path: string): PairsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw dataError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing-file' : 'unreadable', path, `cannot read pairs file: ${path} (${(e as Error).message})`, { cause: e });
  }
  return parsePairs(text, path);
}

/** What {@link formatPairs} writes: the layout and the pairs, fold by fold. */
export interface PairsLayout {
  readonly folds: number;
  readonly pairsPerFold: number;
  readonly pairs: readonly Pick<PairEntry, 'same' | 'name1' | 'image1' | 'name2' | 'image2'>[];
}

/**
 * The text of an LFW `pairs.txt`: the header `folds pairsPerFold`, then each fold's pairs in the
 * given order, tab-separated. Throws when the pair count or a fold's matched count contradicts the
 * layout (the file would not parse).
 *
 * @example
 * ```ts
 * formatPairs({ folds: 1, pairsPerFold: 1, pairs: [
 *   { same: true, name1: 's1', image1: '1.png', name2: 's1', image2: '2.png' },
 *   { same: false, name1: 's1', image1: '1.png', name2: 's2', image2: '1.png' },
 * ] }); // "1\t1\ns1\t1.png\t2.png\ns1\t1.png\ts2\t1.png\n"
 * ```
 */
export function formatPairs(layout: PairsLayout): string {
  const { folds, pairsPerFold, pairs } = layout;
  const perFold = 2 * pairsPerFold;
  if (pairs.length !== folds * perFold) throw new Error(`formatPairs: ${folds} fold(s) of ${pairsPerFold}+${pairsPerFold} pairs need ${folds * perFold} pairs, got ${pairs.length}`);
  for (let f = 0; f < folds; f++) {
    const same = pairs.slice(f * perFold, (f + 1) * perFold).filter((p) => p.same).length;
    if (same !== pairsPerFold) throw new Error(`formatPairs: fold ${f + 1} has ${same} matched pairs, the layout needs ${pairsPerFold}`);
  }
  const lines = pairs.map((p) => (p.same ? `${p.name1}\t${p.image1}\t${p.image2}` : `${p.name1}\t${p.image1}\t${p.name2}\t${p.image2}`));
  return `${folds}\t${pairsPerFold}\n${lines.join('\n')}\n`;
}

/**
 * The first `pairsPerFold` matched and mismatched pairs of every fold (a quick version of a set
 * that keeps its 10-fold layout).
 *
 * @example
 * ```ts
 * formatPairs(pairsSubset(readPairsFile('celeba-crops-pairs.txt'), 2)); // 10 folds × (2 + 2) pairs
 * ```
 */
export function pairsSubset(file: PairsFile, pairsPerFold: number): PairsFile {
  if (!Number.isInteger(pairsPerFold) || pairsPerFold < 1 || pairsPerFold > file.pairsPerFold) {
    throw new Error(`pairsSubset: pairsPerFold must be an integer in [1, ${file.pairsPerFold}] for ${file.file}, got ${pairsPerFold}`);
  }
  const pairs: PairEntry[] = [];
  for (let f = 0; f < file.folds; f++) {
    const fold = file.pairs.filter((p) => p.fold === f);
    pairs.push(...fold.filter((p) => p.same).slice(0, pairsPerFold), ...fold.filter((p) => !p.same).slice(0, pairsPerFold));
  }
  return { file: file.file, folds: file.folds, pairsPerFold, pairs };
}
