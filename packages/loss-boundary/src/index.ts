/**
 * @fr/loss-boundary — BoundaryFace and BoundaryF1 (Wu & Wu, ECCV 2022) for @fr: ArcFace margin
 * heads that, after `epochStart`, relabel closed-set noisy samples for the step (per forward
 * pass, never persistently) and, for BoundaryFace, add the boundary regulariser λ·mean relu(…).
 * @example
 * ```ts
 * import { createTrainer, fullFC } from '@fr/core';
 * import { boundaryFace } from '@fr/loss-boundary';
 * const trainer = createTrainer({
 *   backbone, dataset, config,
 *   centers: fullFC({ numClasses: dataset.numClasses, embeddingSize: 512 }),
 *   margin: boundaryFace({ s: 32, m: 0.5, epochStart: 10 }),
 * });
 * ```
 * @packageDocumentation
 */
export {
  boundaryFace, boundaryF1,
  type BoundaryFaceOptions, type BoundaryF1Options, type BoundaryFacePlugin, type BoundaryVariant, type EpochCounting,
} from './boundary-face.js';
export { correctionLines, type BoundaryCorrection, type BoundaryCorrectionEvent } from './corrections.js';
