/** From pair lines to image paths, with a configurable file naming pattern. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dataError, IssueLog, type BadDataPolicy, type DataIssue, type LogSink } from '../errors.js';
import type { PairEntry, PairsFile } from './pairs-file.js';

/**
 * How `(name, image token)` becomes a path under the image root.
 * - `lfw`: `<name>/<name>_<image as 4 digits>.jpg` (LFW: `Abel_Pacheco 1` → `Abel_Pacheco/Abel_Pacheco_0001.jpg`);
 * - `verbatim`: `<name>/<image>` — the token is the file name (celeba-crops `07476 050420.jpg`,
 *   ORL `s39 3.png`);
 * - `auto` (default): `lfw` when every image token is a number, else `verbatim`;
 * - a template with `{name}`, `{image}` and `{image:N}` (zero-padded to N digits), e.g.
 *   `{name}/{name}_{image:4}.png`;
 * - a function returning the relative path.
 */
export type FilePattern = 'auto' | 'lfw' | 'verbatim' | string | ((name: string, image: string) => string);

const LFW_TEMPLATE = '{name}/{name}_{image:4}.jpg';
const VERBATIM_TEMPLATE = '{name}/{image}';

/**
 * Turns a pattern into a function; `auto` needs the pairs to decide.
 *
 * @example
 * ```ts
 * pairPathFunction('lfw')('Abel_Pacheco', '1'); // 'Abel_Pacheco/Abel_Pacheco_0001.jpg'
 * ```
 */
export function pairPathFunction(pattern: FilePattern, pairs?: readonly PairEntry[]): (name: string, image: string) => string {
  if (typeof pattern === 'function') return pattern;
  let template = pattern;
  if (pattern === 'auto') {
    const numeric = (pairs ?? []).every((p) => /^\d+$/.test(p.image1) && /^\d+$/.test(p.image2));
    template = numeric && (pairs ?? []).length > 0 ? LFW_TEMPLATE : VERBATIM_TEMPLATE;
  } else if (pattern === 'lfw') template = LFW_TEMPLATE;
  else if (pattern === 'verbatim') template = VERBATIM_TEMPLATE;
  if (!template.includes('{image')) throw new Error(`file pattern ${JSON.stringify(template)} must contain {image} or {image:N}`);
  return (name, image) =>
    template.replace(/\{(name|image)(?::(\d+))?\}/g, (_m, key: string, width: string | undefined) => {
      const v = key === 'name' ? name : image;
      return width ? v.padStart(Number(width), '0') : v;
    });
}

/** A pair with both image paths. */
export interface ResolvedPair extends PairEntry {
  readonly path1: string;
  readonly path2: string;
}

export interface ResolvePairsOptions {
  /** Default `auto`. */
  readonly pattern?: FilePattern;
  /** `stop` (default): throw on the first missing file; `skip`: drop the pair, log and count it. */
  readonly badData?: BadDataPolicy;
  readonly log?: LogSink;
  /** Checks existence (default `fs.existsSync`); tests may inject. */
  readonly exists?: (path: string) => boolean;
}

/**
 * Resolves every pair to paths under `root` and checks the files exist. A missing file is
 * reported with the pairs file, its line and the path tried.
 *
 * @example
 * ```ts
 * const { pairs, issues } = resolvePairs(readPairsFile('orl-faces/pairs.txt'), 'orl-faces');
 * pairs[0].path1; // 'orl-faces/s39/3.png'
 * ```
 */
export function resolvePairs(file: PairsFile, root: string, options: ResolvePairsOptions = {}): { pairs: ResolvedPair[]; issues: readonly DataIssue[] } {
  const pathOf = pairPathFunction(options.pattern ?? 'auto', file.pairs);
  const exists = options.exists ?? existsSync;
  const log = new IssueLog(options.badData ?? 'stop', options.log === undefined ? console.warn : options.log);
  const seen = new Map<string, boolean>();
  const check = (path: string, p: PairEntry): boolean => {
    let ok = seen.get(path);
    if (ok === undefined) {
      ok = exists(path);
      seen.set(path, ok);
    }
    if (!ok) log.report(dataError('missing-file', path, `${file.file}:${p.line}: image not found: ${path}`, { line: p.line }).issue);
    return ok;
  };
  const pairs: ResolvedPair[] = [];
  for (const p of file.pairs) {
    const path1 = join(root, pathOf(p.name1, p.image1));
    const path2 = join(root, pathOf(p.name2, p.image2));
    const ok1 = check(path1, p);
    const ok2 = check(path2, p);
    if (ok1 && ok2) pairs.push({ ...p, path1, path2 });
  }
  return { pairs, issues: log.issues };
}
