/**
 * `npm run compare`: build the evaluation sets, plan every (arm, seed) run, run them (reusing
 * results stored under the same budget), then write the tables, plots and page.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARMS, armById } from './arms.js';
import { parseCompareArgs, USAGE } from './args.js';
import { FULL, QUICK } from './budget.js';
import { buildEvalSets } from './eval-sets.js';
import { writeComparison, type ComparisonFiles } from './outputs.js';
import { planJobs, type Job } from './plan.js';
import { storedResult, type RunResult } from './run-job.js';
import { runJobs } from './scheduler.js';
import { WARNED } from './tables.js';

/** Where lines go (tests capture them). */
export interface CompareIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const EXAMPLES_DIR = fileURLToPath(new URL('../../', import.meta.url));
const REPO_DIR = resolve(EXAMPLES_DIR, '..');

/** The commit the tree is at, marked when it has uncommitted changes to tracked files. */
export function describeCommit(dir: string): string {
  const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: dir, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: dir, encoding: 'utf8' }).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' + uncommitted changes' : ''}`;
}

const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
const pct = (x: number | undefined): string => (x === undefined ? '?' : `${(100 * x).toFixed(1)}%`);

/** Runs the comparison; returns the exit code (0 done, 1 a run failed, 2 bad arguments or missing data). */
export async function compare(argv: readonly string[], io: CompareIo = { out: console.log, err: console.error }): Promise<{ code: number; files: ComparisonFiles | null }> {
  let args;
  try {
    args = parseCompareArgs(argv);
  } catch (error) {
    io.err(`compare: ${(error as Error).message}`);
    return { code: 2, files: null };
  }
  if (args.help) {
    io.out(USAGE);
    return { code: 0, files: null };
  }
  const budget = args.quick ? QUICK : FULL;
  const seeds = args.seeds ?? budget.seeds;
  const jobsAtOnce = args.jobs ?? (args.quick ? 1 : Math.min(2, cpus().length));
  const outDir = resolve(args.out ?? join(REPO_DIR, 'runs', args.quick ? 'compare-quick' : 'compare'));
  const dataDir = resolve(args.dataDir ?? process.env.FR_DATA_DIR ?? join(REPO_DIR, '..', 'shared', 'data'));
  let arms;
  let sets;
  try {
    // Table order whatever the order asked for; an unknown id is named with the known ones.
    const asked = new Set((args.arms ?? []).map((id) => armById(id).id));
    arms = args.arms ? ARMS.filter((a) => asked.has(a.id)) : ARMS;
    sets = buildEvalSets(dataDir, join(outDir, 'eval-sets'), { seed: 1, pairsPerFold: budget.pairsPerFold });
  } catch (error) {
    io.err(`compare: ${(error as Error).message}`);
    return { code: 2, files: null };
  }
  const commit = describeCommit(REPO_DIR);
  const jobs = planJobs(arms, budget, seeds, sets, { examplesDir: EXAMPLES_DIR, outDir, commit });
  const stored = new Map<Job, RunResult>();
  if (!args.fresh) for (const job of jobs) { const r = storedResult(job); if (r) stored.set(job, r); }
  const pending = jobs.filter((j) => !stored.has(j));
  const started = new Date();
  const loadBefore = load();
  io.out(`[compare] ${arms.length} arms × ${seeds.length} seed(s) = ${jobs.length} runs (${stored.size} stored, ${pending.length} to train), ${budget.steps} steps × ${budget.batchSize} images each, ${jobsAtOnce} at a time; load ${loadBefore}`);
  let done = 0;
  const t0 = Date.now();
  const { results, failed } = await runJobs(pending, {
    jobs: jobsAtOnce,
    onStart: (job) => io.out(`[compare] start ${job.arm} seed ${job.seed} → ${job.dir}`),
    onDone: (job, r) => {
      done++;
      const eta = ((Date.now() - t0) / done) * (pending.length - done) / 1000;
      const warned = Object.entries(r.sets).filter(([, m]) => m.warnings.length > 0).map(([s]) => s);
      io.out(`[compare] ${done}/${pending.length} ${job.arm} seed ${job.seed}: ${Object.entries(r.sets).map(([s, m]) => `${s} ${pct(m.accuracy)}`).join(', ')}; trained in ${r.trainSeconds.toFixed(0)} s${warned.length ? `; the evaluation on ${warned.join(', ')} warned (${WARNED} in the table; its console.log says why)` : ''}${done < pending.length ? `; about ${Math.ceil(eta / 60)} min left` : ''}`);
    },
    onFail: (f) => io.err(`[compare] FAILED ${f.job.arm} seed ${f.job.seed}: ${f.error}`),
  });
  const all = jobs.flatMap((j) => {
    const r = stored.get(j) ?? results.find((x) => x.arm === j.arm && x.seed === j.seed);
    return r ? [r] : [];
  });
  const cpu = cpus();
  const files = writeComparison(outDir, arms, jobs, all, {
    command: `npm run compare${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    // Stored results may come from earlier commits: name every one the runs were trained on.
    commit: [...new Set(all.map((r) => r.commit))].join(', ') || commit,
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, load average ${loadBefore} at the start and ${load()} at the end, Node ${process.version}, ${all[0]?.backend ?? '?'} backend`,
    budget,
    seeds,
    jobs: jobsAtOnce,
    sets,
    note: args.quick
      ? 'QUICK RUN: a few steps on tiny networks and 40 pairs per set, to check the mechanics; its numbers say nothing about the methods.'
      : 'Verdicts are on the CelebA held-out identities; ORL and Yale B are other domains (grey, studio or lab lighting).',
  });
  io.out(`[compare] wrote ${files.html}, ${files.markdown}, ${files.json}, ${files.svgs.length} plots`);
  if (failed.length > 0) {
    io.err(`[compare] ${failed.length} run(s) failed: ${failed.map((f) => `${f.job.arm} seed ${f.job.seed}`).join(', ')} (their logs: <run folder>/console.log); rerun the same command to retry them`);
    return { code: 1, files };
  }
  return { code: 0, files };
}
