/**
 * Listing an ImageFolder tree: `root/<identity>/…/<image>.{jpg,jpeg,png,pgm,ppm}`. Class indices
 * are the positions of the identity names in sorted order (UTF-16 code-unit order, which is
 * Python's `sorted()` for ASCII names, so indices match torchvision's `ImageFolder`).
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { dataError } from '../errors.js';
import { IMAGE_EXTENSIONS } from '../image/probe.js';
import { identityPredicate, type IdentityFilter } from './identity-split.js';

export interface ScanOptions {
  /** Only these identities (names or a predicate). */
  readonly include?: IdentityFilter;
  /** Leave these identities out (e.g. the held-out ids of a verification benchmark). */
  readonly exclude?: IdentityFilter;
  /** At most this many images per identity (the first ones in sorted file order). */
  readonly limitPerClass?: number;
  /** File extensions to pick up (default `.jpg .jpeg .png .pgm .ppm`, any case). */
  readonly extensions?: readonly string[];
}

/** The result of {@link scanImageFolder}. */
export interface FolderScan {
  readonly root: string;
  /** Identity names; the index is the class. */
  readonly classNames: readonly string[];
  /** Every image with its class, grouped by class, files sorted within a class. */
  readonly files: readonly { readonly path: string; readonly label: number }[];
  /** Identity folders without image files (their class index is kept). */
  readonly emptyIdentities: readonly string[];
  /** Names given in `include`/`exclude` lists that are not folders under `root`. */
  readonly unknownIdentities: readonly string[];
  /** Files skipped because of their extension. */
  readonly ignoredFiles: number;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function listImages(dir: string, extensions: ReadonlySet<string>, counter: { ignored: number }): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => byCodeUnit(a.name, b.name))) {
      const p = join(d, entry.name);
      if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(p))) walk(p);
      else if (extensions.has(extname(entry.name).toLowerCase())) out.push(p);
      else counter.ignored++;
    }
  };
  walk(dir);
  return out;
}

/**
 * Lists an ImageFolder tree.
 *
 * @example
 * ```ts
 * const scan = scanImageFolder('celeba-crops', { exclude: readIdentityList('celeba-crops-split.txt') });
 * scan.classNames.length; // 230
 * ```
 */
export function scanImageFolder(root: string, options: ScanOptions = {}): FolderScan {
  if (!isDirectory(root)) throw dataError('missing-file', root, `image folder not found: ${root}`);
  const include = options.include ? identityPredicate(options.include) : undefined;
  const exclude = options.exclude ? identityPredicate(options.exclude) : undefined;
  const extensions = new Set((options.extensions ?? IMAGE_EXTENSIONS).map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase()));
  const limit = options.limitPerClass;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error(`limitPerClass must be a positive integer, got ${limit}`);
  const counter = { ignored: 0 };
  const all = readdirSync(root, { withFileTypes: true })
    .filter((e) => {
      if (e.isDirectory() || (e.isSymbolicLink() && isDirectory(join(root, e.name)))) return true;
      counter.ignored++;
      return false;
    })
    .map((e) => e.name)
    .sort(byCodeUnit);
  const present = new Set(all);
  const unknown = [...(include?.names ?? []), ...(exclude?.names ?? [])].filter((n) => !present.has(n));
  const classNames = all.filter((id) => (!include || include.test(id)) && !(exclude && exclude.test(id)));
  if (classNames.length === 0) throw dataError('empty-identity', root, `no identity folders under ${root}${all.length > 0 ? ` (all ${all.length} were filtered out by include/exclude)` : ''}`);
  const files: { path: string; label: number }[] = [];
  const emptyIdentities: string[] = [];
  classNames.forEach((id, label) => {
    let images = listImages(join(root, id), extensions, counter);
    if (limit !== undefined) images = images.slice(0, limit);
    if (images.length === 0) emptyIdentities.push(id);
    for (const path of images) files.push({ path, label });
  });
  return { root, classNames, files, emptyIdentities, unknownIdentities: [...new Set(unknown)], ignoredFiles: counter.ignored };
}
