/**
 * @fr/core/testing — helpers for testing @fr plugins: a tiny backbone and a conformance kit.
 * @packageDocumentation
 */
export { tinyBackbone, type TinyBackboneOptions } from './tiny-backbone.js';
