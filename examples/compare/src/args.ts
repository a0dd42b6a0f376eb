/** `npm run compare` arguments: checked before any work, errors naming the flag (@fr/core's CLI frame). */
import { flagHelp, numberFlag, parseFlags, stringFlag, UsageError, type FlagSpec } from '@fr/core/cli';

export interface CompareArgs {
  readonly help: boolean;
  readonly quick: boolean;
  /** null: the budget's seeds. */
  readonly seeds: readonly number[] | null;
  /** null: the budget's default (full: 2, or 1 on one CPU; quick: 1). */
  readonly jobs: number | null;
  /** null: every arm. */
  readonly arms: readonly string[] | null;
  readonly out: string | null;
  readonly dataDir: string | null;
  readonly fresh: boolean;
}

const FLAGS: readonly FlagSpec[] = [
  { name: 'quick', help: '1 seed × 3 steps on tiny settings (checks the mechanics; numbers mean nothing)' },
  { name: 'seeds', value: '1,2,3', help: 'seeds (default 1,2,3; quick: 1)' },
  { name: 'jobs', value: '<n>', help: 'runs at a time, each in its own process with cores / N wasm threads (default 2 on 2+ CPUs; quick: 1, in-process)' },
  { name: 'arms', value: 'a,b', help: "only these arms (ids as in the table's run folders)" },
  { name: 'out', value: '<dir>', help: 'output folder (default runs/compare, quick: runs/compare-quick)' },
  { name: 'data-dir', value: '<dir>', help: 'the shared data (default FR_DATA_DIR, else ../shared/data beside the repository)' },
  { name: 'fresh', help: 'retrain runs that already have a result under the same budget' },
  { name: 'help', alias: '-h', help: 'this text' },
];

export const USAGE = `npm run compare -- [options]

Trains every arm of the comparison (each a recipe + overrides, the same steps and images), over
seeds, evaluates on the CelebA held-out, ORL and Extended Yale B pairs, and writes the tables, plots
and an HTML page into runs/compare/ (about 45 minutes on 2 quiet cores).

${flagHelp(FLAGS)}`;

function seedList(text: string): number[] {
  const values = text.split(',').map((t) => t.trim());
  if (values.some((v) => !/^\d+$/.test(v))) throw new UsageError(`--seeds: expected non-negative integers separated by commas, got "${text}"`);
  return [...new Set(values.map(Number))];
}

/** Parses `argv` (without node and the script); throws a UsageError naming the flag (and the closest one). */
export function parseCompareArgs(argv: readonly string[]): CompareArgs {
  const parsed = parseFlags(argv, FLAGS);
  if (parsed.positional.length > 0) throw new UsageError(`unexpected argument "${parsed.positional[0]}"; see --help`);
  const seeds = stringFlag(parsed, 'seeds');
  const arms = stringFlag(parsed, 'arms');
  return {
    help: parsed.flags.has('help'),
    quick: parsed.flags.has('quick'),
    seeds: seeds === undefined ? null : seedList(seeds),
    jobs: numberFlag(parsed, 'jobs', { integer: true, min: 1 }) ?? null,
    arms: arms === undefined ? null : arms.split(',').map((a) => a.trim()).filter(Boolean),
    out: stringFlag(parsed, 'out') ?? null,
    dataDir: stringFlag(parsed, 'data-dir') ?? null,
    fresh: parsed.flags.has('fresh'),
  };
}
