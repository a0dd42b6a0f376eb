/**
 * @fr/core — the plugin contract, trainer, backends and checkpoints of @fr.
 * @packageDocumentation
 */
export { tf } from './tf.js';
export * from './backend/index.js';
export * from './nn/index.js';
export { Rng, type RngState, type RandomSource } from './random/rng.js';
export type { Backbone, BackboneOutput, Preprocessing } from './contract/backbone.js';
export type { HostBatch, BatchRequest, TrainingDataset } from './data/dataset.js';
