/** Opening a recipe's training data: an ImageFolder, an insightface `.rec`, or the synthetic fallback. */
import { existsSync } from 'node:fs';
import type { Preprocessing, TrainingDataset } from '@fr/core';
import { ImageFolderDataset, RecordIODataset, readIdentityList, recordPaths, refId, type ClosedSetNoise, type ImageDataset } from '@fr/data';
import type { DataSpec } from '../recipe/schema.js';
import { syntheticPairs, syntheticTrainingSet, type SyntheticPairs } from './synthetic.js';

/** The training set and how it was found. */
export interface TrainingData {
  readonly dataset: TrainingDataset;
  /** One line for the log and the report. */
  readonly description: string;
  /** Held-out synthetic pairs when the data fell back to synthetic identities, else null. */
  readonly syntheticPairs: SyntheticPairs | null;
  /** With `data.labelNoise`: what was injected, the clean labels, and example i's sample id `ids[i]` (as batches carry it). */
  readonly labelNoise: InjectedLabelNoise | null;
  close(): Promise<void>;
}

/** Injected label noise, addressable by the sample ids of training batches. */
export interface InjectedLabelNoise {
  readonly noise: ClosedSetNoise;
  /** Sample id of each example, in the order of `noise.labels`. */
  readonly ids: readonly string[];
}

/** `20% closed-set label noise: 911 of 4555 labels moved to another identity (seed 1)`. */
export function describeLabelNoise(noise: ClosedSetNoise): string {
  return `${Math.round(100 * noise.rate * 10) / 10}% closed-set label noise: ${noise.flipped.length} of ${noise.labels.length} labels moved to another identity (seed ${noise.seed})`;
}

function withNoise(description: string, noise: InjectedLabelNoise | null): string {
  return noise ? `${description}; ${describeLabelNoise(noise.noise)}` : description;
}

function imageNoise(dataset: ImageDataset): InjectedLabelNoise | null {
  return dataset.labelNoise ? { noise: dataset.labelNoise, ids: dataset.refs.map(refId) } : null;
}

/** Where the training data should be, and whether it is there. */
export function trainingDataPath(spec: DataSpec): { readonly field: string; readonly path: string; readonly present: boolean } {
  if ('imageFolder' in spec.train) return { field: 'data.train.imageFolder', path: spec.train.imageFolder, present: existsSync(spec.train.imageFolder) };
  const { rec, idx } = recordPaths(spec.train.rec);
  return { field: 'data.train.rec', path: rec, present: existsSync(rec) && existsSync(idx) };
}

/** A recipe's identity list (a file or inline names), read. */
export const identityList = (list: string | readonly string[] | undefined): string[] | undefined =>
  list === undefined ? undefined : typeof list === 'string' ? readIdentityList(list) : [...list];

/**
 * Opens the data a recipe names with the backbone's preprocessing. When it is absent: throws
 * naming the field, or (with `whenMissing: { synthetic }`) says so and uses synthetic identities.
 * `seed` is the label-noise seed when `data.labelNoise` names none (fr-train: the recipe's seed).
 */
export async function openTrainingData(spec: DataSpec, preprocessing: Preprocessing, log: (line: string) => void, seed = 0): Promise<TrainingData> {
  const where = trainingDataPath(spec);
  const { inputSize, colorOrder, normalization } = preprocessing;
  const labelNoise = spec.labelNoise === null ? undefined : { rate: spec.labelNoise.rate, seed: spec.labelNoise.seed ?? seed };
  if (!where.present) {
    if (spec.whenMissing === 'error') throw new Error(`${where.field}: no training data at ${where.path} (or set data.whenMissing to {"synthetic": {}} to try the recipe on synthetic identities)`);
    const synthetic = spec.whenMissing.synthetic;
    log(`[fr-train] no training data at ${where.path} (${where.field}): using the built-in SYNTHETIC identity set — not faces, accuracy says nothing about face recognition`);
    const { dataset, noise } = syntheticTrainingSet(synthetic, inputSize, spec.sampler, labelNoise);
    return {
      dataset,
      description: withNoise(`SYNTHETIC identities: ${synthetic.numClasses} training identities, ${dataset.size} images; ${synthetic.heldOutClasses} held-out identities, ${synthetic.pairs} pairs`, noise),
      syntheticPairs: syntheticPairs(synthetic, inputSize),
      labelNoise: noise,
      close: async () => undefined,
    };
  }
  if (typeof spec.align === 'string') {
    throw new Error(`data.align ${JSON.stringify(spec.align)}: the images are aligned by alignRecipeData (trainRecipe runs it) before the data is opened; open its result`);
  }
  if (spec.align !== null && !('imageFolder' in spec.train)) {
    throw new Error(`data.align: on-the-fly alignment works with data.train.imageFolder (its landmarks cache is keyed by paths under the folder), not with data.train.rec`);
  }
  const loader = {
    inputSize, colorOrder, normalization,
    randomFlip: spec.randomFlip,
    sampler: spec.sampler,
    labelNoise,
    workers: spec.workers,
    decoder: spec.decoder,
    badData: spec.badData,
    log: (line: string) => log(line),
  };
  if ('imageFolder' in spec.train) {
    const include = identityList(spec.train.include);
    const exclude = identityList(spec.train.exclude);
    const align = spec.align === null ? undefined : { landmarks: spec.align.landmarks };
    const dataset = await ImageFolderDataset.open(spec.train.imageFolder, { ...loader, include, exclude, align });
    const noise = imageNoise(dataset);
    return {
      dataset,
      description: withNoise(`${spec.train.imageFolder}: ${dataset.numClasses} identities, ${dataset.size} images${exclude ? `; ${exclude.length} identities excluded` : ''}${align ? `; aligned on the fly from ${align.landmarks}` : ''}`, noise),
      syntheticPairs: null,
      labelNoise: noise,
      close: () => dataset.close(),
    };
  }
  const dataset = await RecordIODataset.open(spec.train.rec, { ...loader, limitPerClass: spec.train.limitPerClass });
  const noise = imageNoise(dataset);
  return {
    dataset,
    description: withNoise(`${where.path}: ${dataset.numClasses} identities, ${dataset.size} images`, noise),
    syntheticPairs: null,
    labelNoise: noise,
    close: () => dataset.close(),
  };
}
