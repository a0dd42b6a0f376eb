/**
 * The full class-centre bank of @fr/core, re-exported so one import gives every bank:
 * `(C, d)` centres, cosines to all of them.
 * @example
 * ```ts
 * import { fullFC, arcface } from '@fr/loss-arcface';
 * const centers = fullFC({ numClasses: 10_572, embeddingSize: 512 });
 * ```
 */
export { fullFC, type FullFCOptions } from '@fr/core';
