/**
 * @fr/topofr — TopoFR (Dan et al., NeurIPS 2024) for @fr, as in its official code:
 * - {@link topologyAlignment}: ISA (PTSA-2), a loss plugin aligning the 0-dim persistent homology
 *   of the clean input batch and of the embeddings ({@link topoLoss} is the pure function);
 * - {@link sds}: SDE/SDS, a sample-weight plugin from a Gaussian–uniform mixture fitted to the
 *   prediction entropies ({@link gum}, {@link sdsWeights});
 * - {@link randomStructurePerturbation}: RSP (PTSA-1), an augment plugin ({@link rsp} is pure).
 * @example
 * ```ts
 * import { createTrainer, fullFC } from '@fr/core';
 * import { arcface } from '@fr/loss-arcface';
 * import { randomStructurePerturbation, sds, topologyAlignment } from '@fr/topofr';
 * const trainer = createTrainer({
 *   backbone, dataset, config,
 *   centers: fullFC({ numClasses: dataset.numClasses, embeddingSize: 512 }),
 *   margin: arcface({ s: 64, m: 0.5, gradient: 'exact' }),
 *   losses: [sds(), topologyAlignment({ weight: 0.1 })],
 *   augments: [randomStructurePerturbation({ probability: 0.2 })],
 * });
 * ```
 * @packageDocumentation
 */
export { topologyAlignment, type TopologyAlignmentOptions, type IsaPairing } from './isa/plugin.js';
export {
  topoLoss, topoLossOnDevice, edgeLengths, maxImageDistance,
  type IsaVariant, type TopoLossOptions, type TopoLossResult, type TopoLossDeviceResult,
} from './isa/topo-loss.js';
export { pairwiseDistancesHost, persistencePairs, selectPairs, matchingPairs, type PersistencePair } from './isa/persistence.js';

export { gum, signFlip, standardScale, type GumOptions, type GumResult } from './sde/gum.js';
export { sds, sdsWeights, type SdsOptions, type SdsVariant, type SdsWeightsResult } from './sde/sds.js';

export { randomStructurePerturbation, type RandomStructurePerturbationOptions } from './rsp/plugin.js';
export { rsp, drawRsp, drawErasingBox, roundHalfEven, type RspDraw, type RspOptions, type RspResult, type ErasingLeak } from './rsp/rsp.js';
export {
  gaussianBlur, gaussianKernel1d, grayscale, luma, colorJitter, adjustBrightness, adjustContrast, adjustSaturation, adjustHue,
  rgbToHsv, hsvToRgb, eraseBox, LUMA, BLUR_KERNEL, type ColorJitterDraw, type EraseBox,
} from './rsp/ops.js';
