/**
 * Closed-set label noise, injected on purpose (the setting of BoundaryFace's experiments): a
 * seeded fraction of the training labels is moved to another identity of the same training set,
 * and the clean labels are kept aside, so a noise detector can be scored against the truth.
 */
import { Rng } from '@fr/core';

/** How much noise to inject, and with which seed. */
export interface LabelNoiseOptions {
  /** Fraction of the examples whose label moves, in [0, 1): exactly `round(rate × n)` of them. */
  readonly rate: number;
  /** The draw is a pure function of `(labels, rate, seed)`. */
  readonly seed: number;
}

/** The noisy labels, the clean ones and which examples were moved. */
export interface ClosedSetNoise {
  readonly rate: number;
  readonly seed: number;
  /** The labels the trainer sees. */
  readonly labels: Int32Array;
  /** The true labels (the input, copied). */
  readonly clean: Int32Array;
  /** Indices of the examples whose label was moved, ascending. */
  readonly flipped: Int32Array;
}

/**
 * Moves `round(rate × n)` labels, chosen uniformly without replacement, each to an identity drawn
 * uniformly among the other identities that have examples (an identity with no example cannot be
 * a plausible wrong label, and it would never be seen in a batch).
 *
 * @example
 * ```ts
 * const noise = closedSetNoise(Int32Array.from([0, 0, 1, 1, 2, 2]), { rate: 0.5, seed: 1 });
 * noise.flipped.length; // 3
 * noise.labels[noise.flipped[0]!] !== noise.clean[noise.flipped[0]!]; // true
 * ```
 */
export function closedSetNoise(labels: Int32Array, options: LabelNoiseOptions): ClosedSetNoise {
  const { rate, seed } = options;
  if (!(rate >= 0 && rate < 1)) throw new Error(`labelNoise.rate must be in [0, 1), got ${rate}`);
  if (!Number.isInteger(seed)) throw new Error(`labelNoise.seed must be an integer, got ${seed}`);
  const clean = Int32Array.from(labels);
  const noisy = Int32Array.from(labels);
  const count = Math.round(rate * labels.length);
  const present = [...new Set(labels)].sort((a, b) => a - b);
  if (count > 0 && present.length < 2) {
    throw new Error(`labelNoise: moving labels to another identity needs at least 2 identities with examples, the data has ${present.length}`);
  }
  const rng = Rng.fromSeed(seed).fork('closed-set-label-noise');
  const flipped = rng.permutation(labels.length).slice(0, count).sort();
  for (const i of flipped) {
    const own = clean[i] as number;
    // Uniform over the other present identities: draw among n − 1 and skip over the own one.
    const k = rng.int(present.length - 1);
    const ownAt = present.indexOf(own);
    noisy[i] = present[k >= ownAt ? k + 1 : k] as number;
  }
  return { rate, seed, labels: noisy, clean, flipped };
}
