/** One sample whose label a BoundaryFace step rewrote. */
export interface BoundaryCorrection {
  /** The sample's row in the batch (index into the batch's labels, images and ids). */
  readonly position: number;
  /** The target it came with: its column in the cosine matrix, the dataset label with a full FC. */
  readonly label: number;
  /** The target the step trained it with: j* = argmax_{j≠y} φ_j (same column space as `label`). */
  readonly newLabel: number;
}

/**
 * What `onCorrection` receives once per training forward pass after `epochStart`: the corrections
 * of that pass (possibly none). The official code appends one line `path\tnew_label` per corrected
 * sample to `savedPath_<epoch>.txt`; {@link correctionLines} formats the same lines.
 */
export interface BoundaryCorrectionEvent {
  /** The trainer's step (0-based) of the forward pass. */
  readonly step: number;
  /** The trainer's epoch (0-based) of the forward pass. */
  readonly epoch: number;
  /** The batch's dataset labels as the trainer handed them to the plugins (`ctx.hostLabels`). */
  readonly batchLabels: Int32Array;
  /** The batch's sample ids (file paths) by position, when the dataset gives them (`ctx.ids`). */
  readonly ids?: readonly string[];
  /** The corrected samples of this pass, by increasing position. */
  readonly corrections: readonly BoundaryCorrection[];
}

/**
 * The official log lines for one event: `"<id>\t<newLabel>"` per corrected sample, where the ids
 * are the batch's sample ids (file paths) by position, as in BoundaryFace's `savedPath_<epoch>.txt`.
 * @example
 * ```ts
 * onCorrection: (event) => appendFileSync(`corrected_${event.epoch}.txt`,
 *   correctionLines(event).map((l) => `${l}\n`).join('')),
 * ```
 */
export function correctionLines(event: BoundaryCorrectionEvent, ids: readonly string[] = event.ids ?? []): string[] {
  return event.corrections.map((c) => `${ids[c.position] ?? `#${c.position}`}\t${c.newLabel}`);
}
