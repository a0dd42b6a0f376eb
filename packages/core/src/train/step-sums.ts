import { tf } from '../tf.js';
import type { Attributed } from './forward-loss.js';

/**
 * Named sums over the micro-batches of one step, each part weighted by its share of the batch
 * (gradients, loss terms, metrics: one rule for all three). Tensor sums are `tf.keep`-ed and
 * handed to `keep` so the step frees them when it ends; a partial sum is freed once superseded.
 */
export class StepSums<T extends tf.Tensor | number> {
  private readonly sums = new Map<string, Attributed<T>>();

  constructor(private readonly keep: (t: tf.Tensor) => void) {}

  /** Adds `share`·`value` to the sum named `key` (attributed to `source`). */
  add(key: string, source: string, value: T, share: number): void {
    const previous = this.sums.get(key)?.value;
    let sum: T;
    if (typeof value === 'number') {
      sum = (value * share + ((previous as number | undefined) ?? 0)) as T;
    } else {
      const part = share === 1 ? value : tf.mul(value, share);
      sum = (previous === undefined ? part : tf.add(previous as tf.Tensor, part)) as T;
      this.keep(tf.keep(sum as tf.Tensor));
      if (previous !== undefined) (previous as tf.Tensor).dispose();
    }
    this.sums.set(key, { key, source, value: sum });
  }

  get(key: string): T | undefined {
    return this.sums.get(key)?.value;
  }

  /** Replaces a sum (e.g. a clipped gradient); the old one is freed with the step. */
  set(key: string, value: T): void {
    const entry = this.sums.get(key);
    if (entry) this.sums.set(key, { ...entry, value });
  }

  entries(): Attributed<T>[] {
    return [...this.sums.values()];
  }

  keys(): string[] {
    return [...this.sums.keys()];
  }
}
