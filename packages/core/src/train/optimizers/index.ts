import type { OptimizerConfig } from '../config.js';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { Sgd } from './sgd.js';

export type { Optimizer, OptimizerState } from './optimizer.js';
export { Sgd, type SgdOptions } from './sgd.js';
export { AdamW, type AdamWOptions } from './adamw.js';

/** The optimiser a validated config asks for. */
export function makeOptimizer(config: OptimizerConfig): Optimizer {
  return config.type === 'sgd' ? new Sgd(config) : new AdamW(config);
}
