/**
 * Statistics over seeds: mean ± sample standard deviation, and a one-sided paired t-test for a
 * claimed direction (runs with the same seed share the initial network, the data order and the
 * injected noise, so arms are compared seed by seed).
 */
import { mean } from '@fr/bench';

/** Values over seeds and their summary. */
export interface Stat {
  readonly mean: number;
  /** Sample standard deviation (n − 1); null for a single value. */
  readonly std: number | null;
  readonly values: readonly number[];
}

export function stat(values: readonly number[]): Stat {
  if (values.length === 0) throw new Error('stat: no values');
  const m = mean(values);
  const std = values.length < 2 ? null : Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
  return { mean: m, std, values: [...values] };
}

/** One-sided 95% critical values of Student's t for 1 … 10 degrees of freedom. */
const T_95 = [6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812];

/** How a claimed direction fared. */
export type Verdict = 'reproduced' | 'reversed' | 'not significant' | 'one seed';

/** A paired comparison: the differences `better − than` seed by seed. */
export interface PairedTest {
  readonly difference: Stat;
  /** t = mean / (std / √n); null with one pair. */
  readonly t: number | null;
  /** The one-sided 95% critical value used. */
  readonly critical: number | null;
  readonly verdict: Verdict;
}

/**
 * Tests the claim "better > than" on paired values: `reproduced` when t exceeds the one-sided 95%
 * critical value, `reversed` when −t does, `not significant` otherwise (`one seed`: no test).
 * @example
 * ```ts
 * pairedTest([0.70, 0.71, 0.69], [0.66, 0.68, 0.65]).verdict; // 'reproduced'
 * ```
 */
export function pairedTest(better: readonly number[], than: readonly number[]): PairedTest {
  if (better.length !== than.length || better.length === 0) throw new Error(`pairedTest: need the same number (≥ 1) of values on both sides, got ${better.length} and ${than.length}`);
  const difference = stat(better.map((b, i) => b - (than[i] as number)));
  const n = better.length;
  if (n < 2 || difference.std === null) return { difference, t: null, critical: null, verdict: 'one seed' };
  const critical = T_95[Math.min(n - 1, T_95.length) - 1] as number;
  const t = difference.std === 0 ? (difference.mean === 0 ? 0 : Math.sign(difference.mean) * Infinity) : difference.mean / (difference.std / Math.sqrt(n));
  const verdict: Verdict = t > critical ? 'reproduced' : t < -critical ? 'reversed' : 'not significant';
  return { difference, t, critical, verdict };
}
