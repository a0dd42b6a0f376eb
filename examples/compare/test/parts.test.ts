/** The comparison's parts on their own: Yale B pairs, statistics, the detector score, arguments, tables. */
import { describe, expect, test } from 'vitest';
import { formatPairs, parsePairs } from '@fr/data';
import type { BoundaryCorrectionEvent } from '@fr/loss-boundary';
import type { InjectedLabelNoise } from '@fr/train';
import { parseCompareArgs } from '../src/args.js';
import { CorrectionScore } from '../src/detector-score.js';
import { yaleBPairs } from '../src/eval-sets.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARMS, CLAIMS } from '../src/arms.js';
import type { Job } from '../src/plan.js';
import { RESULT_FILE, RESULT_FORMAT, storedResult, type RunResult } from '../src/run-job.js';
import { pairedTest, stat } from '../src/stats.js';
import { summarizeArms, testClaims } from '../src/summary.js';
import { accuracyTable, claimsTable, detectorTable, markdownTable, WARNED } from '../src/tables.js';

/** 38 identities × 64 images, named like the cropped Extended Yale B files. */
function yaleListing(): Map<string, string[]> {
  const listing = new Map<string, string[]>();
  for (let i = 1; i <= 38; i++) {
    const id = `yaleB${String(i).padStart(2, '0')}`;
    listing.set(id, Array.from({ length: 64 }, (_, k) => `${id}_P00A+${String(k).padStart(3, '0')}E+00.png`));
  }
  return listing;
}

describe('Extended Yale B pairs', () => {
  test('10 identity-disjoint folds of 150 + 150 distinct pairs over 20 images per identity, in the LFW layout', () => {
    const layout = yaleBPairs(yaleListing(), { seed: 1 });
    const parsed = parsePairs(formatPairs(layout), 'yaleb-pairs.txt');
    expect([parsed.folds, parsed.pairsPerFold, parsed.pairs.length]).toEqual([10, 150, 3000]);
    const foldOf = new Map<string, number>();
    const images = new Map<string, Set<string>>();
    for (const p of parsed.pairs) {
      for (const [name, image] of [[p.name1, p.image1], [p.name2, p.image2]] as const) {
        // An identity lives in one fold only.
        expect(foldOf.get(name) ?? p.fold).toBe(p.fold);
        foldOf.set(name, p.fold);
        expect(image.startsWith(name)).toBe(true);
        images.set(name, (images.get(name) ?? new Set()).add(image));
      }
      expect(p.same).toBe(p.name1 === p.name2);
      if (p.same) expect(p.image1).not.toBe(p.image2);
    }
    expect(foldOf.size).toBe(38);
    for (const used of images.values()) expect(used.size).toBeLessThanOrEqual(20);
    const keys = parsed.pairs.map((p) => [`${p.name1}/${p.image1}`, `${p.name2}/${p.image2}`].sort().join('|'));
    expect(new Set(keys).size).toBe(3000);
  });

  test('seeded: same seed, same pairs; another seed, other pairs', () => {
    const a = formatPairs(yaleBPairs(yaleListing(), { seed: 1 }));
    expect(formatPairs(yaleBPairs(yaleListing(), { seed: 1 }))).toBe(a);
    expect(formatPairs(yaleBPairs(yaleListing(), { seed: 2 }))).not.toBe(a);
  });

  test('too few identities or images is an error saying which', () => {
    const few = new Map([...yaleListing()].slice(0, 12));
    expect(() => yaleBPairs(few, { seed: 1 })).toThrow(/10 identity-disjoint folds need at least 20 identities, the listing has 12/);
    expect(() => yaleBPairs(yaleListing(), { seed: 1, imagesPerIdentity: 4 })).toThrow(/fold 1 .* has \d+ matched and \d+ mismatched candidates, fewer than 150/);
  });
});

describe('statistics over seeds', () => {
  test('mean and sample standard deviation', () => {
    const s = stat([0.7, 0.72, 0.74]);
    expect(s.mean).toBeCloseTo(0.72, 12);
    expect(s.std).toBeCloseTo(0.02, 12);
    expect(stat([0.5]).std).toBeNull();
  });

  test('paired one-sided t-test: consistent gains reproduce, consistent losses reverse, noise does not decide', () => {
    expect(pairedTest([0.70, 0.71, 0.69], [0.66, 0.68, 0.65]).verdict).toBe('reproduced');
    expect(pairedTest([0.60, 0.61, 0.62], [0.66, 0.68, 0.65]).verdict).toBe('reversed');
    const noisy = pairedTest([0.70, 0.64, 0.69], [0.66, 0.68, 0.65]);
    expect(noisy.verdict).toBe('not significant');
    // t = mean / (sd / √3) with the paired differences (0.04, −0.04, 0.04).
    expect(noisy.t).toBeCloseTo((0.04 / 3) / (Math.sqrt((2 * (0.04 - 0.04 / 3) ** 2 + (0.04 + 0.04 / 3) ** 2) / 2) / Math.sqrt(3)), 9);
    expect(noisy.critical).toBe(2.92);
    expect(pairedTest([0.7], [0.6]).verdict).toBe('one seed');
    expect(() => pairedTest([0.7, 0.6], [0.6])).toThrow(/same number/);
  });
});

describe('the detector score', () => {
  // Samples a…f with clean labels 0 0 1 1 2 2; b and e were moved (to 1 and 0).
  const truth: InjectedLabelNoise = {
    ids: ['a', 'b', 'c', 'd', 'e', 'f'],
    noise: { rate: 1 / 3, seed: 1, clean: Int32Array.from([0, 0, 1, 1, 2, 2]), labels: Int32Array.from([0, 1, 1, 1, 0, 2]), flipped: Int32Array.from([1, 4]) },
  };
  const event = (epoch: number, ids: string[], labels: number[], corrections: [number, number][]): BoundaryCorrectionEvent => ({
    step: epoch * 10, epoch, ids, batchLabels: Int32Array.from(labels), corrections: corrections.map(([position, newLabel]) => ({ position, label: labels[position]!, newLabel })),
  });

  test('precision and recall per epoch against the injected flips, and restorations of the true identity', () => {
    const score = new CorrectionScore(truth);
    // Epoch 1: corrects b (moved; back to its true 0) and c (clean): precision 1/2; e seen, not corrected: recall 1/2.
    score.add(event(1, ['a', 'b', 'c'], [0, 1, 1], [[1, 0], [2, 2]]));
    score.add(event(1, ['d', 'e', 'f'], [1, 0, 2], []));
    // Epoch 2: corrects e (moved) to 1, not its true 2.
    score.add(event(2, ['e', 'f'], [0, 2], [[0, 1]]));
    expect(score.epochs()).toEqual([
      { epoch: 1, samples: 6, flippedSeen: 2, corrections: 2, truePositives: 1, restored: 1, precision: 0.5, recall: 0.5 },
      { epoch: 2, samples: 2, flippedSeen: 1, corrections: 1, truePositives: 1, restored: 0, precision: 1, recall: 1 },
    ]);
  });

  test('a sample missing from the truth, a label the truth did not give, or no ids are errors', () => {
    const score = new CorrectionScore(truth);
    expect(() => score.add(event(1, ['z'], [0], []))).toThrow(/sample z is not in the injected-noise table/);
    expect(() => score.add(event(1, ['b'], [0], []))).toThrow(/sample b was trained with label 0, the injected-noise table says 1/);
    expect(() => score.add({ step: 3, epoch: 1, batchLabels: Int32Array.from([0]), corrections: [] })).toThrow(/no sample ids/);
  });
});

describe('arguments', () => {
  test('flags, values and defaults', () => {
    expect(parseCompareArgs([])).toEqual({ help: false, quick: false, seeds: null, jobs: null, arms: null, out: null, dataDir: null, fresh: false });
    expect(parseCompareArgs(['--quick', '--seeds', '1,2', '--jobs=3', '--arms', 'arcface, triplet', '--out', 'x', '--fresh'])).toMatchObject({ quick: true, seeds: [1, 2], jobs: 3, arms: ['arcface', 'triplet'], out: 'x', fresh: true });
  });

  test('errors name the flag', () => {
    expect(() => parseCompareArgs(['--quik'])).toThrow(/unknown option --quik \(did you mean --quick\?\)/);
    expect(() => parseCompareArgs(['--jobs', '0'])).toThrow(/--jobs must be an integer in \[1, ∞\], got "0"/);
    expect(() => parseCompareArgs(['--seeds', '1,x'])).toThrow(/--seeds: expected non-negative integers/);
    expect(() => parseCompareArgs(['stray'])).toThrow(/unexpected argument "stray"/);
    expect(() => parseCompareArgs(['--seeds'])).toThrow(/--seeds needs a value/);
    expect(() => parseCompareArgs(['--quick=1'])).toThrow(/--quick takes no value/);
  });
});

test('markdown tables escape pipes and keep one cell per column', () => {
  const md = markdownTable({ title: 'T', columns: ['a', 'b'], rows: [['x|y', '1']] });
  expect(md).toBe('**T**\n\n| a | b |\n|---|---|\n| x\\|y | 1 |');
});

/** A run with the given CelebA and ORL accuracies; `orlWarning` is what its ORL evaluation warned. */
function fakeRun(arm: string, seed: number, celeba: number, orl: number, orlWarning?: string): RunResult {
  const set = (accuracy: number, warnings: string[]) => ({ accuracy, foldStd: 0, auc: 0.7, tarAtFar1e2: 0.1, warnings });
  return {
    format: RESULT_FORMAT, arm, seed, key: 'k', commit: 'c', backend: 'cpu', steps: 1, images: 1,
    trainSeconds: 1, wallSeconds: 1, cpuSeconds: 1, imagesPerSecond: 1, finalLoss: 1,
    sets: { celeba: set(celeba, []), orl: set(orl, orlWarning ? [orlWarning] : []) },
    detector: null, report: null,
  };
}

describe('a collapsed seed', () => {
  const claim = CLAIMS.find((c) => c.id === 'boundary-20')!;
  const arms = ARMS.filter((a) => a.id === claim.better || a.id === claim.than);
  const collapsed = 'all 3000 pair distances lie below 0.01, the first step of the threshold grid';
  const runs = [1, 2, 3].flatMap((seed) => [
    fakeRun(claim.better, seed, 0.6, seed === 3 ? 0.5 : 0.7, seed === 3 ? collapsed : undefined),
    fakeRun(claim.than, seed, 0.65, 0.75),
  ]);

  test('is marked in the accuracy and claims tables, where its warning is quoted', () => {
    const accuracy = accuracyTable(summarizeArms(arms, runs), ['celeba', 'orl']);
    const better = accuracy.rows.find((r) => r[0] === arms.find((a) => a.id === claim.better)!.label)!;
    expect(better[2]).not.toContain(WARNED);
    expect(better[3]).toMatch(new RegExp(`^63\\.33 ± 11\\.55 ${WARNED}$`));
    expect(accuracy.notes).toEqual([expect.stringMatching(new RegExp(`^${WARNED} .*, seed 3, ORL: ${collapsed}$`))]);
    expect(accuracy.rows.find((r) => r !== better)!.join(' ')).not.toContain(WARNED);

    const claims = claimsTable(testClaims([claim], runs, 'celeba'), ['celeba', 'orl'], 'celeba');
    expect(claims.rows[0]![2]).toBe('−5.00 ± 0.00');
    expect(claims.rows[0]![3]).toMatch(new RegExp(`^−11\\.67 ± 11\\.55 ${WARNED}$`));
    expect(claims.notes).toEqual([expect.stringContaining('ORL: the difference includes seed 3')]);
    expect(markdownTable(claims).split('\n').at(-1)).toMatch(new RegExp(`^${WARNED} `));
  });

  test('a result written before warnings were recorded is trained again, not read as clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-compare-stored-'));
    try {
      mkdirSync(dir, { recursive: true });
      const job = { arm: 'arcface', seed: 1, recipe: 'r', set: [], dir, detector: false, key: 'k', commit: 'c' } satisfies Job;
      const current = fakeRun('arcface', 1, 0.6, 0.7);
      writeFileSync(join(dir, RESULT_FILE), JSON.stringify(current));
      expect(storedResult(job)).toEqual(current);
      expect(storedResult({ ...job, key: 'other' })).toBeNull();
      const { format: _format, ...older } = current;
      writeFileSync(join(dir, RESULT_FILE), JSON.stringify(older));
      expect(storedResult(job)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('the detector table averages precision over the seeds that corrected, naming the one that did not', () => {
  const arm = ARMS.find((a) => a.id === 'topofr-boundaryface-n20')!;
  const epoch = (corrections: number, truePositives: number) => ({
    epoch: 1, samples: 100, flippedSeen: 20, corrections, truePositives, restored: 0,
    precision: corrections > 0 ? truePositives / corrections : null, recall: truePositives / 20,
  });
  const runs = [epoch(0, 0), epoch(80, 16), epoch(100, 20)].map((d, i) => ({ ...fakeRun(arm.id, i + 1, 0.6, 0.7), detector: [d] }));
  const [row] = detectorTable(summarizeArms([arm], runs)).rows;
  // Precision over seeds 2 and 3 (20% both); recall over all three (0, 80%, 100%).
  expect(row!.slice(3, 6)).toEqual(['60 ± 53', '20.0 ± 0.0 (2 seeds; seed 1: no corrections)', '60.0 ± 52.9']);
});
