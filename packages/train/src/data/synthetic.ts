/**
 * The built-in synthetic identity set, for a recipe whose data is absent (`whenMissing:
 * synthetic`): training identities and disjoint held-out identities with verification pairs. It
 * is NOT face data, and every log line and report says so.
 */
import { syntheticIdentities, type HostBatch, type TrainingDataset } from '@fr/core';
import { closedSetNoise, mPerClassEpochSize, planEpoch, type LabelNoiseOptions, type SamplerOptions } from '@fr/data';
import type { InjectedLabelNoise } from './open-data.js';

/** In-memory verification pairs (images already normalised, NHWC, rows 2k and 2k+1 = pair k). */
export interface SyntheticPairs {
  readonly name: string;
  readonly images: Float32Array;
  readonly count: number;
  readonly inputSize: number;
  readonly issame: boolean[];
}

export interface SyntheticSpec {
  readonly numClasses: number;
  readonly imagesPerClass: number;
  readonly heldOutClasses: number;
  readonly pairs: number;
  readonly seed: number;
}

const sampleId = (i: number): string => `synthetic#${i}`;

/** Training identities, batched by the recipe's sampler (shuffle or m-per-class; no flips), with the label noise asked for. */
export function syntheticTrainingSet(spec: SyntheticSpec, inputSize: number, sampler: 'shuffle' | { readonly mPerClass: number }, labelNoise?: LabelNoiseOptions): { dataset: TrainingDataset; noise: InjectedLabelNoise | null } {
  const source = syntheticIdentities({ numClasses: spec.numClasses, imagesPerClass: spec.imagesPerClass, inputSize, seed: spec.seed });
  const clean = Int32Array.from({ length: source.size }, (_, i) => source.label(i));
  const noise = labelNoise ? closedSetNoise(clean, labelNoise) : null;
  const labels = noise ? noise.labels : clean;
  const plan: SamplerOptions = sampler === 'shuffle' ? { kind: 'shuffle' } : { kind: 'm-per-class', m: sampler.mPerClass };
  const pixels = inputSize * inputSize * 3;
  const dataset: TrainingDataset = {
    numClasses: source.numClasses,
    size: plan.kind === 'm-per-class' ? mPerClassEpochSize(labels, plan.m) : labels.length,
    provides: plan.kind === 'm-per-class' ? ['batch:m-per-class'] : [],
    async *batches(request): AsyncIterable<HostBatch> {
      const { batches } = planEpoch(labels, plan, request);
      for (const idx of batches.slice(request.fromBatch)) {
        const images = new Float32Array(idx.length * pixels);
        idx.forEach((i, k) => images.set(source.image(i), k * pixels));
        yield { images, labels: Int32Array.from(idx, (i) => labels[i] as number), shape: [idx.length, inputSize, inputSize, 3], ids: Array.from(idx, sampleId) };
      }
    },
  };
  return { dataset, noise: noise ? { noise, ids: Array.from(clean, (_, i) => sampleId(i)) } : null };
}

/** Pairs of held-out synthetic identities (drawn from a differently seeded set: disjoint from training). */
export function syntheticPairs(spec: SyntheticSpec, inputSize: number): SyntheticPairs {
  const n = spec.heldOutClasses;
  const per = spec.imagesPerClass;
  const half = Math.floor(per / 2);
  const heldOut = syntheticIdentities({ numClasses: n, imagesPerClass: per, inputSize, seed: spec.seed + 1 });
  const pixels = inputSize * inputSize * 3;
  const issame: boolean[] = [];
  const images = new Float32Array(spec.pairs * 2 * pixels);
  for (let k = 0; k < spec.pairs; k++) {
    // Alternating genuine / impostor pairs; the second image comes from the other half of the class.
    const a = k % n;
    const b = k % 2 === 0 ? a : (a + 1 + (k % (n - 1))) % n;
    images.set(heldOut.image(a * per + (k % half)), 2 * k * pixels);
    images.set(heldOut.image(b * per + half + ((k * 5) % (per - half))), (2 * k + 1) * pixels);
    issame.push(a === b);
  }
  return { name: 'synthetic-pairs', images, count: spec.pairs * 2, inputSize, issame };
}
