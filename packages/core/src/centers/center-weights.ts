import type { tf } from '../tf.js';
import { Module } from '../nn/module.js';
import { init } from '../nn/init.js';
import { Rng } from '../random/rng.js';
import { checkNumber } from '../contract/options.js';

/** Options every class-centre bank takes. */
export interface CenterBankOptions {
  readonly numClasses: number;
  readonly embeddingSize: number;
  /** Plugin name (each bank has its own default). */
  readonly name?: string;
  /**
   * Centre initialisation: `normal` N(0, 0.01) as insightface's Partial FC (default); `xavier`
   * uniform as BoundaryFace.
   */
  readonly init?: 'normal' | 'xavier';
  /** Seed of the initial centres (default 2048). */
  readonly seed?: number;
}

/** The learnable `(rows, d)` centre matrix of a bank, checkpointed as `weight`. */
export class CenterWeights extends Module {
  readonly weight: tf.Variable;
  constructor(rows: number, embeddingSize: number, options: Pick<CenterBankOptions, 'init' | 'seed'>, stream: string) {
    super();
    const initializer = options.init === 'xavier' ? init.xavierUniform() : init.normal(0.01);
    this.weight = this.param('weight', initializer([rows, embeddingSize], Rng.fromSeed(options.seed ?? 2048).fork(stream)));
  }
}

/**
 * Validates a bank's sizes (at least two classes, a positive embedding size) and creates its
 * centres: `rowsPerClass` rows per class (sub-centres), drawn from the stream `owner` lower-cased.
 * @example
 * ```ts
 * const weights = createCenterWeights('myBank', { numClasses: 1000, embeddingSize: 512 });
 * ```
 */
export function createCenterWeights(owner: string, options: CenterBankOptions, rowsPerClass = 1): CenterWeights {
  const numClasses = checkNumber(owner, 'numClasses', options.numClasses, 'positiveInteger');
  if (numClasses < 2) throw new Error(`${owner}: numClasses must be an integer ≥ 2, got ${numClasses}`);
  const embeddingSize = checkNumber(owner, 'embeddingSize', options.embeddingSize, 'positiveInteger');
  return new CenterWeights(numClasses * rowsPerClass, embeddingSize, options, owner.toLowerCase());
}
