/**
 * BoundaryFace's noise detector scored against the labels that were injected (never against its
 * own output): each correction event's samples are looked up by sample id in the injected-noise
 * table, which says whether the label the trainer saw was moved and what the true one is.
 */
import type { BoundaryCorrectionEvent } from '@fr/loss-boundary';
import type { InjectedLabelNoise } from '@fr/train';

/** One epoch of corrections, counted over the samples the detector saw. */
export interface DetectorEpoch {
  readonly epoch: number;
  /** Samples seen in training passes with detection on. */
  readonly samples: number;
  /** Of those, samples whose label had been moved by the injected noise. */
  readonly flippedSeen: number;
  /** Samples the head relabelled. */
  readonly corrections: number;
  /** Relabelled samples whose label had been moved. */
  readonly truePositives: number;
  /** Relabelled samples given back their true identity. */
  readonly restored: number;
  /** truePositives / corrections (null without corrections). */
  readonly precision: number | null;
  /** truePositives / flippedSeen (null when no moved label was seen). */
  readonly recall: number | null;
}

interface Counts { samples: number; flippedSeen: number; corrections: number; truePositives: number; restored: number }

/**
 * Accumulates `onCorrection` events. Throws when an event names a sample the table does not know,
 * or carries a label other than the one the table says training was given (the truth would not be
 * the data's).
 * @example
 * ```ts
 * const score = new CorrectionScore(data.labelNoise);
 * boundaryFace({ onCorrection: (e) => score.add(e) });
 * // … after training
 * score.epochs(); // [{ epoch: 1, precision: 0.62, recall: 0.41, … }, …]
 * ```
 */
export class CorrectionScore {
  private readonly index: Map<string, number>;
  private readonly counts = new Map<number, Counts>();

  constructor(private readonly truth: InjectedLabelNoise) {
    this.index = new Map(truth.ids.map((id, i) => [id, i]));
  }

  add(event: BoundaryCorrectionEvent): void {
    const ids = event.ids;
    if (!ids) throw new Error(`correction event of step ${event.step} has no sample ids: the detector cannot be scored (the dataset must give ids)`);
    const corrected = new Map(event.corrections.map((c) => [c.position, c]));
    const c = this.counts.get(event.epoch) ?? { samples: 0, flippedSeen: 0, corrections: 0, truePositives: 0, restored: 0 };
    ids.forEach((id, position) => {
      const i = this.index.get(id);
      if (i === undefined) throw new Error(`correction event of step ${event.step}: sample ${id} is not in the injected-noise table`);
      const given = this.truth.noise.labels[i] as number;
      const clean = this.truth.noise.clean[i] as number;
      if (event.batchLabels[position] !== given) {
        throw new Error(`correction event of step ${event.step}: sample ${id} was trained with label ${event.batchLabels[position]}, the injected-noise table says ${given}`);
      }
      const moved = given !== clean;
      const correction = corrected.get(position);
      c.samples++;
      if (moved) c.flippedSeen++;
      if (correction) {
        c.corrections++;
        if (moved) c.truePositives++;
        if (correction.newLabel === clean) c.restored++;
      }
    });
    this.counts.set(event.epoch, c);
  }

  /** Per epoch with detection on, in order. */
  epochs(): DetectorEpoch[] {
    return [...this.counts.entries()].sort(([a], [b]) => a - b).map(([epoch, c]) => ({
      epoch,
      ...c,
      precision: c.corrections > 0 ? c.truePositives / c.corrections : null,
      recall: c.flippedSeen > 0 ? c.truePositives / c.flippedSeen : null,
    }));
  }
}
