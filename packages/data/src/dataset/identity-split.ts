/**
 * Identity lists and splits: which identities train and which are held out for verification
 * (e.g. `celeba-crops-split.txt`: the 40 identities of the pairs benchmark, never to be trained on
 * when reporting it).
 */
import { readFileSync } from 'node:fs';
import { dataError } from '../errors.js';

/** A set of identity names, or a predicate over them. */
export type IdentityFilter = Iterable<string> | ((identity: string) => boolean);

/**
 * Parses an identity list: one identity per line (the first whitespace-separated token), blank
 * lines and `#` comments ignored.
 *
 * @example
 * ```ts
 * parseIdentityList('# held out\n07454\n07455\n'); // ['07454', '07455']
 * ```
 */
export function parseIdentityList(text: string, file = '<memory>'): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const s = raw.replace(/#.*/, '').trim();
    if (s === '') return;
    const id = s.split(/\s+/)[0] as string;
    if (seen.has(id)) throw dataError('bad-line', file, `${file}:${i + 1}: identity ${JSON.stringify(id)} is listed twice`, { line: i + 1 });
    seen.add(id);
    out.push(id);
  });
  return out;
}

/**
 * Reads an identity list file (see {@link parseIdentityList}).
 *
 * @example
 * ```ts
 * const heldOut = readIdentityList('celeba-crops-split.txt'); // 40 names
 * ```
 */
export function readIdentityList(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw dataError('missing-file', path, `cannot read identity list: ${path} (${(e as Error).message})`, { cause: e });
  }
  return parseIdentityList(text, path);
}

/** Turns a filter into a predicate, plus the names it lists (for "not found" checks). */
export function identityPredicate(filter: IdentityFilter): { test: (id: string) => boolean; names?: ReadonlySet<string> } {
  if (typeof filter === 'function') return { test: filter };
  const names = new Set(filter);
  return { test: (id) => names.has(id), names };
}

/**
 * Splits identities into training and held-out sets. `unknown` lists held-out names that are not
 * among `all` (a typo, or a different dataset version).
 *
 * @example
 * ```ts
 * const { train, heldOut } = splitIdentities(readdirSync(root), readIdentityList('celeba-crops-split.txt'));
 * const ds = await ImageFolderDataset.open(root, { include: train });
 * ```
 */
export function splitIdentities(all: Iterable<string>, heldOut: Iterable<string>): { train: string[]; heldOut: string[]; unknown: string[] } {
  const held = new Set(heldOut);
  const everyone = [...all];
  const present = new Set(everyone);
  return {
    train: everyone.filter((id) => !held.has(id)),
    heldOut: everyone.filter((id) => held.has(id)),
    unknown: [...held].filter((id) => !present.has(id)),
  };
}
