/**
 * @fr/loss-metric — metric-learning pieces for @fr, in the spirit of pytorch-metric-learning:
 * miners choose triplets, losses score them, samplers build the batches they need.
 *
 * - {@link tripletLoss}: FaceNet's triplet loss as a loss plugin, with {@link batchHardMiner},
 *   {@link batchAllMiner} and {@link semiHardMiner} (or your own {@link TripletMiner}).
 * - {@link centerLoss}: Wen et al.'s centre loss, next to a softmax (centre bank + margin head).
 * - {@link mPerClassBatches} / {@link mPerClassDataset}: batches of m images per identity.
 * @packageDocumentation
 */
export { pairwiseDistances, type TripletDistance } from './distances.js';
export {
  mineTriplets, labelMasks,
  type Triplets, type TripletMiner, type MinerInput, type TripletIndices, type LabelMasks,
} from './miners/triplets.js';
export { batchHardMiner } from './miners/batch-hard.js';
export { batchAllMiner } from './miners/batch-all.js';
export { semiHardMiner } from './miners/semi-hard.js';
export { tripletMarginLoss, type TripletReduction, type TripletMarginOptions, type TripletMarginResult } from './losses/triplet-margin.js';
export { tripletLoss, type TripletLossOptions, type TripletMining } from './losses/triplet.js';
export { centerUpdate } from './losses/center-update.js';
export { centerLoss, type CenterLossOptions, type CenterLossPlugin } from './losses/center.js';
export { mPerClassBatches, type MPerClassOptions } from './samplers/m-per-class.js';
export {
  mPerClassDataset, type IndexedImageSource, type MPerClassDatasetOptions, type MPerClassDataset,
} from './samplers/m-per-class-dataset.js';
