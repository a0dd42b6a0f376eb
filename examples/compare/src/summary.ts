/**
 * The runs summarised per arm (mean ± std over seeds of every metric, wall-clock, the detector's
 * precision and recall per epoch) and the claims tested seed by seed.
 */
import type { Arm, Claim } from './arms.js';
import type { RunResult } from './run-job.js';
import { pairedTest, stat, type PairedTest, type Stat } from './stats.js';

/** The metrics of one evaluation set over seeds (null: not available on that set, e.g. too few impostors). */
export interface SetSummary {
  readonly accuracy: Stat;
  readonly auc: Stat | null;
  readonly tarAtFar1e2: Stat | null;
  /** The seeds whose evaluation on this set warned (`SetMetrics.warnings` of a run), with the warnings. */
  readonly warned: readonly SeedWarning[];
}

/** The warnings of one seed's evaluation on one set. */
export interface SeedWarning {
  readonly seed: number;
  readonly warnings: readonly string[];
}

/** The detector in one epoch over seeds. */
export interface DetectorSummary {
  readonly epoch: number;
  /** Over the seeds where it is defined (a precision needs corrections, a recall moved labels); null when none. */
  readonly precision: Stat | null;
  readonly recall: Stat | null;
  /** Seeds where precision (no corrections) or recall (no moved labels seen) is undefined. */
  readonly undefinedIn: { readonly precision: readonly number[]; readonly recall: readonly number[] };
  /** Corrections and moved labels seen per epoch, and corrections that restored the true identity. */
  readonly corrections: Stat;
  readonly flippedSeen: Stat;
  readonly restored: Stat;
}

/** One arm over its seeds. */
export interface ArmSummary {
  readonly arm: Arm;
  readonly seeds: readonly number[];
  readonly sets: Readonly<Record<string, SetSummary>>;
  readonly trainSeconds: Stat;
  readonly wallSeconds: Stat;
  readonly cpuSeconds: Stat;
  readonly imagesPerSecond: Stat;
  readonly finalLoss: Stat;
  readonly detector: readonly DetectorSummary[] | null;
}

/** A claim with its paired tests on every set (the verdict is the one on `primarySet`). */
export interface ClaimResult {
  readonly claim: Claim;
  /** Per set; absent when an arm of the claim has no results. */
  readonly tests: Readonly<Record<string, PairedTest>>;
  /** Per set, the seeds of the test whose evaluation warned on either arm (empty when none did). */
  readonly warnedSeeds: Readonly<Record<string, readonly number[]>>;
  readonly verdict: PairedTest['verdict'] | 'missing';
}

const optionalStat = (values: readonly (number | null)[]): Stat | null =>
  values.length > 0 && values.every((v) => v !== null) ? stat(values as number[]) : null;

const definedStat = (values: readonly (number | null)[]): Stat | null => {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length > 0 ? stat(defined) : null;
};

/** Summaries of the arms that have results, in arm order. */
export function summarizeArms(arms: readonly Arm[], results: readonly RunResult[]): ArmSummary[] {
  return arms.flatMap((arm) => {
    const runs = results.filter((r) => r.arm === arm.id).sort((a, b) => a.seed - b.seed);
    if (runs.length === 0) return [];
    const setNames = Object.keys(runs[0]!.sets);
    const sets = Object.fromEntries(setNames.map((name) => [name, {
      accuracy: stat(runs.map((r) => r.sets[name]!.accuracy)),
      auc: optionalStat(runs.map((r) => r.sets[name]?.auc ?? null)),
      tarAtFar1e2: optionalStat(runs.map((r) => r.sets[name]?.tarAtFar1e2 ?? null)),
      warned: runs.filter((r) => r.sets[name]!.warnings.length > 0).map((r) => ({ seed: r.seed, warnings: r.sets[name]!.warnings })),
    }]));
    let detector: DetectorSummary[] | null = null;
    if (runs.every((r) => r.detector !== null)) {
      const epochs = [...new Set(runs.flatMap((r) => r.detector!.map((d) => d.epoch)))].sort((a, b) => a - b);
      detector = epochs.map((epoch) => {
        const per = runs.map((r) => r.detector!.find((d) => d.epoch === epoch));
        const count = (key: 'corrections' | 'flippedSeen' | 'restored'): Stat => stat(per.map((d) => d?.[key] ?? 0));
        return {
          epoch,
          precision: definedStat(per.map((d) => d?.precision ?? null)),
          recall: definedStat(per.map((d) => d?.recall ?? null)),
          undefinedIn: {
            precision: runs.filter((_, i) => (per[i]?.precision ?? null) === null).map((r) => r.seed),
            recall: runs.filter((_, i) => (per[i]?.recall ?? null) === null).map((r) => r.seed),
          },
          corrections: count('corrections'),
          flippedSeen: count('flippedSeen'),
          restored: count('restored'),
        };
      });
    }
    return [{
      arm,
      seeds: runs.map((r) => r.seed),
      sets,
      trainSeconds: stat(runs.map((r) => r.trainSeconds)),
      wallSeconds: stat(runs.map((r) => r.wallSeconds)),
      cpuSeconds: stat(runs.map((r) => r.cpuSeconds)),
      imagesPerSecond: stat(runs.map((r) => r.imagesPerSecond)),
      finalLoss: stat(runs.map((r) => r.finalLoss)),
      detector,
    }];
  });
}

/** Tests each claim on the seeds both of its arms have, on every set. */
export function testClaims(claims: readonly Claim[], results: readonly RunResult[], primarySet: string): ClaimResult[] {
  return claims.map((claim) => {
    const better = new Map(results.filter((r) => r.arm === claim.better).map((r) => [r.seed, r]));
    const than = new Map(results.filter((r) => r.arm === claim.than).map((r) => [r.seed, r]));
    const seeds = [...better.keys()].filter((s) => than.has(s)).sort((a, b) => a - b);
    if (seeds.length === 0) return { claim, tests: {}, warnedSeeds: {}, verdict: 'missing' as const };
    const setNames = Object.keys(better.get(seeds[0]!)!.sets).filter((name) => seeds.every((s) => better.get(s)!.sets[name] && than.get(s)!.sets[name]));
    const tests = Object.fromEntries(setNames.map((name) => [name, pairedTest(
      seeds.map((s) => better.get(s)!.sets[name]!.accuracy),
      seeds.map((s) => than.get(s)!.sets[name]!.accuracy),
    )]));
    const warnedSeeds = Object.fromEntries(setNames.map((name) => [name, seeds.filter((s) => [better, than].some((arm) => arm.get(s)!.sets[name]!.warnings.length > 0))]));
    return { claim, tests, warnedSeeds, verdict: tests[primarySet]?.verdict ?? 'missing' };
  });
}
