/** `npm run compare` arguments: checked before any work, errors naming the flag. */
import { closestName } from '@fr/core';

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

export const USAGE = `npm run compare -- [options]

Trains every arm of the comparison (each a recipe + overrides, the same steps and images), over
seeds, evaluates on the CelebA held-out, ORL and Extended Yale B pairs, and writes the tables, plots
and an HTML page into runs/compare/ (about an hour on 2 quiet cores).

  --quick             1 seed × 3 steps on tiny settings (checks the mechanics; numbers mean nothing)
  --seeds 1,2,3       seeds (default 1,2,3; quick: 1)
  --jobs N            runs at a time, each in its own process (default 2 on 2+ CPUs; quick: 1, in-process)
  --arms a,b          only these arms (ids as in the table's run folders)
  --out DIR           output folder (default runs/compare, quick: runs/compare-quick)
  --data-dir DIR      the shared data (default FR_DATA_DIR, else ../shared/data beside the repository)
  --fresh             retrain runs that already have a result under the same budget
  --help`;

const FLAGS = ['--help', '--quick', '--seeds', '--jobs', '--arms', '--out', '--data-dir', '--fresh'];
const WITH_VALUE = new Set(['--seeds', '--jobs', '--arms', '--out', '--data-dir']);

function integers(flag: string, text: string, min: number): number[] {
  const values = text.split(',').map((t) => t.trim());
  if (values.some((v) => !/^-?\d+$/.test(v) || Number(v) < min)) throw new Error(`${flag}: expected ${min > 0 ? 'positive ' : ''}integers separated by commas, got "${text}"`);
  return values.map(Number);
}

/** Parses `argv` (without node and the script); throws with the problem and the closest flag. */
export function parseCompareArgs(argv: readonly string[]): CompareArgs {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!FLAGS.includes(flag)) {
      const close = closestName(flag, FLAGS);
      throw new Error(`unknown argument "${arg}"${close ? ` (did you mean ${close}?)` : ''}; see --help`);
    }
    if (WITH_VALUE.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
      values.set(flag, value);
    } else {
      if (inline !== undefined) throw new Error(`${flag} takes no value`);
      switches.add(flag);
    }
  }
  const seeds = values.has('--seeds') ? integers('--seeds', values.get('--seeds') as string, 0) : null;
  const jobs = values.has('--jobs') ? integers('--jobs', values.get('--jobs') as string, 1) : null;
  if (jobs && jobs.length !== 1) throw new Error(`--jobs: expected one number, got "${values.get('--jobs')}"`);
  return {
    help: switches.has('--help'),
    quick: switches.has('--quick'),
    seeds: seeds ? [...new Set(seeds)] : null,
    jobs: jobs ? (jobs[0] as number) : null,
    arms: values.has('--arms') ? (values.get('--arms') as string).split(',').map((a) => a.trim()).filter(Boolean) : null,
    out: values.get('--out') ?? null,
    dataDir: values.get('--data-dir') ?? null,
    fresh: switches.has('--fresh'),
  };
}
