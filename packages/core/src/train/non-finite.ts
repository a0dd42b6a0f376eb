/** Thrown when a loss term, an intermediate or a gradient is NaN/Inf and the policy is `stop`. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    /** What went bad, e.g. `term "topofr-isa/topo"`. */
    readonly what: string,
    /** The part of the composition it came from, e.g. `loss plugin "topofr-isa"`. */
    readonly source: string,
    detail: string,
  ) {
    super(`Non-finite value at step ${step}: ${what} from ${source} is ${detail}. The update was not applied; the model is as it was after step ${step - 1}.`);
    this.name = 'NonFiniteLossError';
  }
}
