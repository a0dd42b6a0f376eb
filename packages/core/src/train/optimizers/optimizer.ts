import type { tf } from '../../tf.js';

/** Serialisable optimiser state: JSON (step counts) plus slot tensors keyed `<slot>/<parameter>`. */
export interface OptimizerState {
  readonly json: Readonly<Record<string, unknown>>;
  readonly tensors: Readonly<Record<string, tf.Tensor>>;
}

/**
 * Updates parameters from gradients, PyTorch semantics. Slots are keyed by parameter *name*, so a
 * checkpoint restores them whatever the backend or process.
 */
export interface Optimizer {
  readonly type: 'sgd' | 'adamw';
  /** One update with learning rate `lr`. `noDecay` names parameters exempt from weight decay. */
  apply(params: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number, noDecay: ReadonlySet<string>): void;
  getState(): OptimizerState;
  /** Restores slots; throws naming any slot whose parameter or shape does not match. */
  setState(state: OptimizerState, params: ReadonlyMap<string, tf.Variable>): void;
  dispose(): void;
}
