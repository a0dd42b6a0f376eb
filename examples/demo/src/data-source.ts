/**
 * Where the demo's faces come from: the CelebA crops in ../shared/data (training identities only,
 * the 40 held-out identities excluded) with their pairs file, or, when that folder is absent,
 * the built-in synthetic identity set (which is not face data, and says so).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticIdentities, type TrainingDataset } from '@fr/core';
import { ImageFolderDataset, VerificationSet, readIdentityList } from '@fr/data';

export interface DataSource {
  readonly description: string;
  readonly train: TrainingDataset;
  /** Pairs of held-out identities for the insightface verification protocol. */
  readonly pairs: { readonly name: string; readonly set: VerificationSet } | { readonly name: string; readonly synthetic: SyntheticPairs };
  close(): Promise<void>;
}

/** In-memory pairs of held-out synthetic identities (images already normalised). */
export interface SyntheticPairs {
  readonly images: Float32Array;
  readonly count: number;
  readonly inputSize: number;
  readonly issame: boolean[];
}

/** `FR_DATA_DIR`, else `../shared/data` beside the repository. */
export function dataDir(): string {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  return resolve(process.env.FR_DATA_DIR ?? resolve(repo, '../shared/data'));
}

export async function openDataSource(inputSize: number, log: (line: string) => void): Promise<DataSource> {
  const dir = dataDir();
  const root = `${dir}/celeba-crops`;
  if (existsSync(root) && existsSync(`${dir}/celeba-crops-pairs.txt`)) {
    const heldOut = readIdentityList(`${dir}/celeba-crops-split.txt`);
    const train = await ImageFolderDataset.open(root, { exclude: heldOut, inputSize, randomFlip: true, log: (l) => log(l) });
    const set = VerificationSet.fromPairs(`${dir}/celeba-crops-pairs.txt`, root);
    return {
      description: `CelebA crops (${root}): ${train.numClasses} training identities, ${train.size} images; ${heldOut.length} held-out identities excluded, evaluated on ${set.size} pairs`,
      train,
      pairs: { name: 'celeba-crops-pairs', set },
      close: () => train.close(),
    };
  }
  log(`[demo] no face data at ${root} (set FR_DATA_DIR): using the built-in SYNTHETIC identity set — not faces, accuracy says nothing about face recognition`);
  // Training and held-out identities come from two differently seeded sets: disjoint identities.
  const train = syntheticIdentities({ numClasses: 60, imagesPerClass: 24, inputSize, seed: 7 });
  const heldOut = syntheticIdentities({ numClasses: 20, imagesPerClass: 24, inputSize, seed: 8 });
  const pixels = inputSize * inputSize * 3;
  const pairCount = 600;
  const issame: boolean[] = [];
  const images = new Float32Array(pairCount * 2 * pixels);
  for (let k = 0; k < pairCount; k++) {
    const a = k % 20;
    const b = k % 2 === 0 ? a : (a + 1 + (k % 19)) % 20;
    images.set(heldOut.image(a * 24 + (k % 12)), 2 * k * pixels);
    images.set(heldOut.image(b * 24 + 12 + ((k * 5) % 12)), (2 * k + 1) * pixels);
    issame.push(a === b);
  }
  return {
    description: `SYNTHETIC identities: 60 training identities, ${train.size} images; 20 held-out identities, ${pairCount} pairs`,
    train,
    pairs: { name: 'synthetic-pairs', synthetic: { images, count: pairCount * 2, inputSize, issame } },
    close: async () => undefined,
  };
}
