/** Opening a recipe's training data: an ImageFolder, an insightface `.rec`, or the synthetic fallback. */
import { existsSync } from 'node:fs';
import type { Preprocessing, TrainingDataset } from '@fr/core';
import { ImageFolderDataset, RecordIODataset, readIdentityList, recordPaths } from '@fr/data';
import type { DataSpec } from '../recipe/schema.js';
import { syntheticPairs, syntheticTrainingSet, type SyntheticPairs } from './synthetic.js';

/** The training set and how it was found. */
export interface TrainingData {
  readonly dataset: TrainingDataset;
  /** One line for the log and the report. */
  readonly description: string;
  /** Held-out synthetic pairs when the data fell back to synthetic identities, else null. */
  readonly syntheticPairs: SyntheticPairs | null;
  close(): Promise<void>;
}

/** Where the training data should be, and whether it is there. */
export function trainingDataPath(spec: DataSpec): { readonly field: string; readonly path: string; readonly present: boolean } {
  if ('imageFolder' in spec.train) return { field: 'data.train.imageFolder', path: spec.train.imageFolder, present: existsSync(spec.train.imageFolder) };
  const { rec, idx } = recordPaths(spec.train.rec);
  return { field: 'data.train.rec', path: rec, present: existsSync(rec) && existsSync(idx) };
}

const identities = (list: string | readonly string[] | undefined): string[] | undefined =>
  list === undefined ? undefined : typeof list === 'string' ? readIdentityList(list) : [...list];

/**
 * Opens the data a recipe names with the backbone's preprocessing. When it is absent: throws
 * naming the field, or (with `whenMissing: { synthetic }`) says so and uses synthetic identities.
 */
export async function openTrainingData(spec: DataSpec, preprocessing: Preprocessing, log: (line: string) => void): Promise<TrainingData> {
  const where = trainingDataPath(spec);
  const { inputSize, colorOrder, normalization } = preprocessing;
  if (!where.present) {
    if (spec.whenMissing === 'error') throw new Error(`${where.field}: no training data at ${where.path} (or set data.whenMissing to {"synthetic": {}} to try the recipe on synthetic identities)`);
    const synthetic = spec.whenMissing.synthetic;
    log(`[fr-train] no training data at ${where.path} (${where.field}): using the built-in SYNTHETIC identity set — not faces, accuracy says nothing about face recognition`);
    const dataset = syntheticTrainingSet(synthetic, inputSize, spec.sampler);
    return {
      dataset,
      description: `SYNTHETIC identities: ${synthetic.numClasses} training identities, ${dataset.size} images; ${synthetic.heldOutClasses} held-out identities, ${synthetic.pairs} pairs`,
      syntheticPairs: syntheticPairs(synthetic, inputSize),
      close: async () => undefined,
    };
  }
  if (spec.align !== null) {
    throw new Error(`data.align: on-the-fly alignment from a landmarks cache (${spec.align.landmarks}) needs an @fr/data that supports it; this one does not — align the images with \`fr-data align\` first and train on the aligned folder`);
  }
  const loader = {
    inputSize, colorOrder, normalization,
    randomFlip: spec.randomFlip,
    sampler: spec.sampler,
    workers: spec.workers,
    decoder: spec.decoder,
    badData: spec.badData,
    log: (line: string) => log(line),
  };
  if ('imageFolder' in spec.train) {
    const include = identities(spec.train.include);
    const exclude = identities(spec.train.exclude);
    const dataset = await ImageFolderDataset.open(spec.train.imageFolder, { ...loader, include, exclude });
    return {
      dataset,
      description: `${spec.train.imageFolder}: ${dataset.numClasses} identities, ${dataset.size} images${exclude ? `; ${exclude.length} identities excluded` : ''}`,
      syntheticPairs: null,
      close: () => dataset.close(),
    };
  }
  const dataset = await RecordIODataset.open(spec.train.rec, { ...loader, limitPerClass: spec.train.limitPerClass });
  return {
    dataset,
    description: `${where.path}: ${dataset.numClasses} identities, ${dataset.size} images`,
    syntheticPairs: null,
    close: () => dataset.close(),
  };
}
