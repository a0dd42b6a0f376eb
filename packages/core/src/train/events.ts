/** What the trainer reports. Every event is plain JSON (written as-is to the JSONL log). */

export interface StartEvent {
  readonly type: 'start';
  readonly step: number;
  readonly totalSteps: number;
  readonly backend: string;
  readonly parameters: number;
  readonly composition: { readonly backbone: string; readonly plugins: readonly { readonly name: string; readonly kind: string }[] };
  readonly resumedFrom: string | null;
  readonly time: string;
}

export interface StepEvent {
  readonly type: 'step';
  /** The step just completed (0-based). */
  readonly step: number;
  readonly epoch: number;
  /** Batches of this epoch consumed so far, this one included. */
  readonly batchInEpoch: number;
  /** Total loss (sum of `terms`). */
  readonly loss: number;
  /** Each named term: `ce` and `<plugin>/<term>`. */
  readonly terms: Readonly<Record<string, number>>;
  /** Plugin metrics, `<plugin>/<metric>`. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly lr: number;
  /** Gradient norm (clip scope) before clipping. */
  readonly gradNorm: number;
  readonly clipped: boolean;
  readonly skipped: boolean;
  readonly batchSize: number;
  /** Seconds of compute for this step, and waiting for its batch. */
  readonly stepSeconds: number;
  readonly dataSeconds: number;
  readonly imagesPerSecond: number;
}

export interface NonFiniteEvent {
  readonly type: 'nonfinite';
  readonly step: number;
  readonly epoch: number;
  /** The first bad quantity, e.g. `term "boundary/reg"`, and the part it came from. */
  readonly what: string;
  readonly source: string;
  readonly action: 'stop' | 'skip';
  readonly message: string;
}

export interface CheckpointEvent {
  readonly type: 'checkpoint';
  readonly step: number;
  readonly path: string;
  readonly reason: 'periodic' | 'final' | 'interrupt' | 'manual';
}

export interface EvalEvent {
  readonly type: 'eval';
  readonly step: number;
  readonly name: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly seconds: number;
}

export interface EndEvent {
  readonly type: 'end';
  readonly step: number;
  readonly reason: 'completed' | 'interrupted' | 'stopped';
  readonly seconds: number;
}

/** Something the run worked around and the user should know (e.g. a damaged checkpoint skipped on resume). */
export interface WarningEvent {
  readonly type: 'warning';
  readonly step: number;
  readonly message: string;
}

export type TrainerEvent = StartEvent | StepEvent | NonFiniteEvent | CheckpointEvent | EvalEvent | EndEvent | WarningEvent;
export type TrainerEventType = TrainerEvent['type'];
export type EventOf<K extends TrainerEventType> = Extract<TrainerEvent, { type: K }>;
