/**
 * @fr/loss-arcface — the ArcFace family of margin heads for @fr (ArcFace exact / straight-through
 * / easy margin, CosFace, combined margin, SphereFace, CurricularFace, AdaFace, MagFace), the
 * full / Partial FC / sub-center centre banks with sub-center data cleaning, and a memory planner
 * for large class-centre layers.
 * @example
 * ```ts
 * import { createTrainer } from '@fr/core';
 * import { arcface, partialFC } from '@fr/loss-arcface';
 * const trainer = createTrainer({
 *   backbone, dataset, config,
 *   centers: partialFC({ numClasses: dataset.numClasses, embeddingSize: 512, sampleRate: 0.2 }),
 *   margin: arcface({ s: 64, m: 0.5 }),
 * });
 * ```
 * @packageDocumentation
 */
export { arcface, type ArcFaceOptions, type ArcFaceGradient } from './margins/arcface.js';
/** Shared margin math, re-exported from @fr/core where it lives. */
export { arcTargetCosine, type ArcFallback } from '@fr/core';
export { cosface, type CosFaceOptions } from './margins/cosface.js';
export { combinedMargin, type CombinedMarginOptions } from './margins/combined-margin.js';
export { sphereface, type SphereFaceOptions } from './margins/sphereface.js';
export { curricularFace, type CurricularFaceOptions } from './margins/curricular-face.js';
export { adaface, type AdaFaceOptions } from './margins/adaface.js';
export { magface, type MagFaceOptions } from './margins/magface.js';

export { fullFC, type FullFCOptions } from './centers/full-fc.js';
export { partialFC, type PartialFCOptions, type PartialFCBank } from './centers/partial-fc.js';
export { sampleClasses, type ClassSample } from './centers/sample-classes.js';
export { gatherRows } from './centers/gather-rows.js';
export { subCenterFC, type SubCenterFCOptions, type SubCenterFCBank } from './centers/sub-center-fc.js';
export {
  findSubCenterOutliers, findClassOutliers,
  type SubCenterOutlierOptions, type SubCenterOutlier, type SubCenterCleaningReport,
} from './centers/sub-center-cleaning.js';

export {
  planFcMemory, FR_TFJS_COPIES,
  type FcMemoryInput, type FcMemoryPlan, type FcMemoryBytes, type FcMemoryCopies, type FcDtype, type FcOptimizer,
} from './planner/fc-memory.js';
export { recommendSampleRate, type SampleRateAdvice } from './planner/recommend.js';
export { parseBytes, formatBytes } from './planner/bytes.js';
