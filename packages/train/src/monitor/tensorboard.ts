/** Trainer events → TensorBoard scalars (loss, each term and metric, lr, grad norm, img/s, evaluations). */
import type { TrainerEvent } from '@fr/core';
import { EventFileWriter } from './event-file.js';

/** The scalars of a step event, tagged as TensorBoard groups them (`train/…`, `terms/…`, `metrics/…`). */
export function stepScalars(event: Extract<TrainerEvent, { type: 'step' }>): Record<string, number> {
  const out: Record<string, number> = {
    'train/loss': event.loss,
    'train/lr': event.lr,
    'train/grad_norm': event.gradNorm,
    'train/images_per_second': event.imagesPerSecond,
  };
  for (const [k, v] of Object.entries(event.terms)) out[`terms/${k}`] = v;
  for (const [k, v] of Object.entries(event.metrics)) out[`metrics/${k}`] = v;
  return out;
}

/** `eval/<set>/<metric>` for an evaluation's numbers. */
export function evalScalars(set: string, metrics: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [`eval/${set}/${k}`, v]));
}

/**
 * Writes a TensorBoard event file in `dir` for a run and returns the listener to subscribe to
 * the trainer's events (`start` marks a resume, `step` and `eval` write scalars).
 * @example
 * ```ts
 * const tb = tensorboardLogger('runs/arcface/tensorboard');
 * for (const type of ['start', 'step', 'eval'] as const) trainer.on(type, tb.listener);
 * ```
 */
export function tensorboardLogger(dir: string): { readonly writer: EventFileWriter; readonly listener: (event: TrainerEvent) => void } {
  const writer = new EventFileWriter(dir);
  return {
    writer,
    listener: (event) => {
      // TensorBoard's step is the number of steps done (an evaluation after step k lines up with
      // step k's scalars); a resume restarts after `event.step` done steps.
      if (event.type === 'start' && event.resumedFrom) writer.sessionStart(event.step + 1);
      else if (event.type === 'step') writer.scalars(event.step + 1, stepScalars(event));
      else if (event.type === 'eval') writer.scalars(event.step, evalScalars(event.name, event.metrics));
    },
  };
}
