/**
 * The budget every arm shares: the same steps, batch and seeds, the same backbone per family, the
 * same evaluation. `full` is the default comparison (about 45 minutes on 2 quiet cores); `quick` runs
 * every arm for a few steps on tiny settings, to check the mechanics (CI).
 */

/** What every arm of a comparison shares. */
export interface Budget {
  readonly name: 'full' | 'quick';
  readonly steps: number;
  readonly batchSize: number;
  readonly warmupSteps: number;
  readonly seeds: readonly number[];
  /** The CNN arms' backbone (`{ architecture, options }`). */
  readonly cnnBackbone: { readonly architecture: string; readonly options: Readonly<Record<string, number>> };
  /** The ViT arms' backbone, or null for the TransFace recipe's own. */
  readonly vitBackbone: { readonly architecture: string; readonly options: Readonly<Record<string, number>> } | null;
  /** Evaluation pairs per fold and kind (null: every pair of each set). */
  readonly pairsPerFold: number | null;
  /** BoundaryFace's `epochStart` override (null: the recipe's). */
  readonly boundaryEpochStart: number | null;
  /** Decode worker threads per run (null: fr-train's default, CPUs − 1). */
  readonly workers: number | null;
}

/** 4 555 training images / 32 = 142 batches an epoch (the last partial one dropped). */
const EPOCH_STEPS = 142;

/** The default comparison: 3 epochs (426 steps × 32 images) per arm and seed, seeds 1–3. */
export const FULL: Budget = {
  name: 'full',
  steps: 3 * EPOCH_STEPS,
  batchSize: 32,
  warmupSteps: 21,
  seeds: [1, 2, 3],
  // The demo's network: 600 × 32 steps in ~3.5 min on a quiet machine.
  cnnBackbone: { architecture: 'mobilefacenet', options: { inputSize: 48, widthMultiplier: 0.5, embeddingSize: 128 } },
  vitBackbone: null,
  pairsPerFold: null,
  boundaryEpochStart: null,
  workers: null,
};

/** The mechanics only: 1 seed × 3 steps of 8 images, tiny networks, 40 pairs per set. */
export const QUICK: Budget = {
  name: 'quick',
  steps: 3,
  batchSize: 8,
  warmupSteps: 0,
  seeds: [1],
  cnnBackbone: { architecture: 'mobilefacenet', options: { inputSize: 24, widthMultiplier: 0.25, embeddingSize: 32 } },
  // 27 px in 9-px patches: 9 patches, enough for DPAP's K 7.
  vitBackbone: { architecture: 'transface_s', options: { inputSize: 27, patchSize: 9, dim: 16, depth: 1, heads: 2, embeddingSize: 32 } },
  pairsPerFold: 2,
  // Three steps never reach a second epoch: correct from the first step so corrections are scored.
  boundaryEpochStart: -1,
  workers: 0,
};
