/**
 * The comparison's verification sets, built from `../shared/data` by a seeded script (the files go
 * under the output folder; nothing is committed): the CelebA held-out pairs and ORL's pairs as
 * they are, and Extended Yale B pairs drawn here in the LFW layout (10 identity-disjoint folds).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@fr/core';
import { formatPairs, pairsSubset, readPairsFile, type PairsLayout } from '@fr/data';

/** One set as a recipe names it. */
export interface EvalSetFile {
  readonly name: string;
  readonly pairs: string;
  readonly images: string;
  /** One line for the page: where the pairs come from. */
  readonly about: string;
}

/** Options of {@link yaleBPairs}. */
export interface YaleBPairsOptions {
  readonly seed: number;
  readonly folds?: number;
  /** Matched pairs per fold (and as many mismatched). */
  readonly pairsPerFold?: number;
  /** Images drawn per identity (all lighting conditions are equally likely). */
  readonly imagesPerIdentity?: number;
}

/** Every unordered pair (i < j) of `0 … n − 1`. */
function unorderedPairs(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
  return out;
}

/**
 * Extended Yale B pairs in the LFW layout: identities are dealt to `folds` folds (so a fold's
 * threshold is always chosen on other people), `imagesPerIdentity` images drawn per identity, and
 * in each fold `pairsPerFold` matched and mismatched pairs drawn without replacement. A pure
 * function of the listing and the options.
 *
 * @example
 * ```ts
 * const layout = yaleBPairs(new Map([['yaleB01', ['a.png', 'b.png']], …]), { seed: 1 });
 * writeFileSync('yaleb-pairs.txt', formatPairs(layout));
 * ```
 */
export function yaleBPairs(listing: ReadonlyMap<string, readonly string[]>, options: YaleBPairsOptions): PairsLayout {
  const folds = options.folds ?? 10;
  const pairsPerFold = options.pairsPerFold ?? 150;
  const perIdentity = options.imagesPerIdentity ?? 20;
  const rng = Rng.fromSeed(options.seed).fork('yaleb-pairs');
  const ids = rng.shuffle([...listing.keys()].sort());
  if (ids.length < 2 * folds) throw new Error(`Yale B pairs: ${folds} identity-disjoint folds need at least ${2 * folds} identities, the listing has ${ids.length}`);
  const images = new Map(ids.map((id) => [id, rng.shuffle([...(listing.get(id) ?? [])].sort()).slice(0, perIdentity)]));
  const pairs: PairsLayout['pairs'][number][] = [];
  for (let f = 0; f < folds; f++) {
    const members = ids.filter((_, i) => i % folds === f);
    const same = members.flatMap((id) => unorderedPairs((images.get(id) as string[]).length).map(([a, b]) => {
      const files = images.get(id) as string[];
      return { same: true, name1: id, image1: files[a] as string, name2: id, image2: files[b] as string };
    }));
    const different = unorderedPairs(members.length).flatMap(([p, q]) => {
      const [id1, id2] = [members[p] as string, members[q] as string];
      return (images.get(id1) as string[]).flatMap((image1) => (images.get(id2) as string[]).map((image2) => ({ same: false, name1: id1, image1, name2: id2, image2 })));
    });
    if (same.length < pairsPerFold || different.length < pairsPerFold) {
      throw new Error(`Yale B pairs: fold ${f + 1} (${members.join(', ')}) has ${same.length} matched and ${different.length} mismatched candidates, fewer than ${pairsPerFold}`);
    }
    pairs.push(...rng.shuffle(same).slice(0, pairsPerFold), ...rng.shuffle(different).slice(0, pairsPerFold));
  }
  return { folds, pairsPerFold, pairs };
}

function requirePath(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what}: ${path} not found (set FR_DATA_DIR or --data-dir to the folder holding celeba-crops/, orl-faces/ and yaleb-cropped/)`);
  return path;
}

/** `<identity>/<image>` listing of an image folder (PNG and JPEG files). */
function listImages(root: string): Map<string, string[]> {
  const listing = new Map<string, string[]>();
  for (const id of readdirSync(root, { withFileTypes: true })) {
    if (!id.isDirectory()) continue;
    listing.set(id.name, readdirSync(join(root, id.name)).filter((f) => /\.(png|jpe?g)$/i.test(f)));
  }
  return listing;
}

/**
 * Writes the sets into `outDir` and returns them: with `pairsPerFold`, every set cut to that many
 * matched and mismatched pairs per fold (10 folds kept).
 */
export function buildEvalSets(dataDir: string, outDir: string, options: { readonly seed: number; readonly pairsPerFold: number | null }): EvalSetFile[] {
  mkdirSync(outDir, { recursive: true });
  const celeba = { pairs: requirePath(join(dataDir, 'celeba-crops-pairs.txt'), 'CelebA held-out pairs'), images: requirePath(join(dataDir, 'celeba-crops'), 'CelebA crops') };
  const orl = { pairs: requirePath(join(dataDir, 'orl-faces', 'pairs.txt'), 'ORL pairs'), images: requirePath(join(dataDir, 'orl-faces'), 'ORL faces') };
  const yaleRoot = requirePath(join(dataDir, 'yaleb-cropped'), 'Extended Yale B');
  const yalePath = join(outDir, 'yaleb-pairs.txt');
  writeFileSync(yalePath, formatPairs(yaleBPairs(listImages(yaleRoot), { seed: options.seed })));
  const cut = (name: string, path: string): string => {
    if (options.pairsPerFold === null) return path;
    const out = join(outDir, `${name}-${options.pairsPerFold}-per-fold.txt`);
    writeFileSync(out, formatPairs(pairsSubset(readPairsFile(path), options.pairsPerFold)));
    return out;
  };
  const count = (path: string): string => {
    const file = readPairsFile(path);
    return `${file.folds} folds × (${file.pairsPerFold} + ${file.pairsPerFold}) pairs`;
  };
  const set = (name: string, pairs: string, images: string, about: string): EvalSetFile => ({ name, pairs, images, about: `${about}; ${count(pairs)}` });
  return [
    set('celeba', cut('celeba', celeba.pairs), celeba.images, 'CelebA held-out identities (40, never trained on), celeba-crops-pairs.txt'),
    set('orl', cut('orl', orl.pairs), orl.images, 'ORL (AT&T), 40 identities, orl-faces/pairs.txt'),
    set('yaleb', cut('yaleb', yalePath), yaleRoot, `Extended Yale B, 38 identities under varied lighting: identity-disjoint folds over 20 images per identity, seed ${options.seed}`),
  ];
}
