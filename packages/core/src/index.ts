/**
 * @fr/core — the plugin contract, trainer, backend selection and checkpoints of @fr (no backend
 * included: install an `@fr/backend-*` package beside it).
 * @packageDocumentation
 */
export { tf } from './tf.js';
export * from './backend/index.js';
export * from './nn/index.js';
export * from './math/index.js';
export { Rng, type RngState, type RandomSource } from './random/rng.js';
export type { Backbone, BackboneOutput, Preprocessing } from './contract/backbone.js';
export type * from './contract/plugin.js';
export { defineMargin, defineCenterBank, defineLoss, defineAugment } from './contract/define.js';
export { checkNumber, checkChoice, type NumberRule } from './contract/options.js';
export { describePlugin } from './contract/describe.js';
export { StateTensors, type StateInitial } from './contract/state-tensors.js';
export { validateComposition, availableCapabilities, CompositionError, type Composition } from './contract/compose.js';
export type { HostBatch, BatchRequest, TrainingDataset } from './data/dataset.js';
export * from './train/index.js';
export * from './checkpoint/index.js';
export { crc32c } from './checkpoint/crc32.js';
export { fullFC, type FullFCOptions, type FullFCBank } from './centers/full-fc.js';
export { createCenterWeights, CenterWeights, type CenterBankOptions } from './centers/center-weights.js';
export { syntheticIdentities, type SyntheticIdentitiesOptions } from './data/synthetic.js';
export { scoped } from './util/scope.js';
export { closestName, editDistance } from './util/closest-name.js';
export { createProgress, formatDuration, type Progress, type ProgressDisplayOptions, type ProgressStream } from './util/progress.js';
