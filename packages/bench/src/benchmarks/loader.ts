/**
 * Suite `loader`: @fr/data's ImageFolder loader throughput (decode + resize + random flip +
 * normalise + batch assembly) on the CelebA crops — in-thread (one core) and with the prefetch
 * worker(s) — against the training step's demand (suite `train-step`'s images/s): is the loader
 * fast enough to keep the step fed?
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { measureLoaderThroughput, type LoaderThroughputResult } from '@fr/data';
import { numberFlag, stringFlag } from '@fr/core/cli';
import { fmt, ratio } from './stats.js';
import { NET_DEFAULTS, trainStepDemand } from './train-step.js';
import type { BenchChart, BenchContext, BenchTable, Suite, SuiteResult } from './types.js';

/** `--data-dir`, else `$FR_DATA_DIR`, else `../shared/data` next to the repository (from the working directory up). */
export function sharedDataDir(ctx: BenchContext): string | null {
  const given = stringFlag(ctx.args, 'data-dir') ?? process.env.FR_DATA_DIR ?? '';
  if (given) return existsSync(given) ? resolve(given) : null;
  let dir = process.cwd();
  for (let i = 0; i < 6; i++) {
    const candidate = resolve(dir, '../shared/data');
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, '..');
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** Where the data was looked for, for skip messages. */
export function dataDirDescription(ctx: BenchContext): string {
  const given = stringFlag(ctx.args, 'data-dir') ?? process.env.FR_DATA_DIR ?? '';
  return given ? `${given} (from ${ctx.args.flags.has('data-dir') ? '--data-dir' : 'FR_DATA_DIR'})` : '../shared/data beside the repository';
}

interface Verdict {
  readonly net: string;
  readonly side: string;
  readonly imagesPerSecond: number;
  readonly headroom: number;
  readonly enough: boolean;
}

/** One line per net for our step, and one for the fastest step measured (torch's, usually). */
function verdictLines(verdicts: readonly Verdict[]): string[] {
  const say = (v: Verdict, who: string): string =>
    `${who} needs ${fmt(v.imagesPerSecond)} img/s: the prefetch loader delivers ${ratio(v.headroom)} that — ${v.enough ? 'fast enough' : 'TOO SLOW: the step would wait for data'}`;
  const ours = verdicts.filter((v) => v.side.startsWith('ours'));
  const fastest = [...verdicts].sort((a, b) => b.imagesPerSecond - a.imagesPerSecond)[0];
  const lines = ours.map((v) => say(v, `${v.net} ${v.side}`));
  if (fastest && !fastest.side.startsWith('ours')) lines.push(say(fastest, `the fastest step measured (${fastest.net}, ${fastest.side})`));
  return lines;
}

export const loaderSuite: Suite = {
  name: 'loader',
  title: 'data loader throughput vs the training step’s demand',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const data = sharedDataDir(ctx);
    const root = data ? resolve(data, 'celeba-crops') : null;
    if (!root || !existsSync(root)) {
      return {
        suite: 'loader', title: this.title, status: 'skipped',
        reason: `no celeba-crops/ in ${data ?? dataDirDescription(ctx)} (set FR_DATA_DIR or --data-dir to the folder holding celeba-crops/)`,
        config: {}, tables: [], charts: [], data: null,
      };
    }
    const demand = trainStepDemand(ctx.results.get('train-step'));
    const inputSize = numberFlag(ctx.args, 'loader-size') ?? demand[0]?.inputSize ?? NET_DEFAULTS.iresnet18?.inputSize ?? 112;
    const batchSize = 64;
    const batches = numberFlag(ctx.args, 'loader-batches') ?? (ctx.quick ? 4 : ctx.full ? 40 : 15);
    ctx.progress(`loader: ${batches} batches of ${batchSize} from ${root}, in-thread then with prefetch workers`);
    const r: LoaderThroughputResult = await measureLoaderThroughput({ root, inputSize, batchSize, batches, log: null });
    const rows = [
      ['in-thread (1 core)', String(r.perCore.workers), fmt(r.perCore.imagesPerSecond), fmt(r.perCore.imagesPerCpuSecond)],
      [`prefetch, ${r.total.workers} worker${r.total.workers === 1 ? '' : 's'}${r.total.decoding === 'workers' ? '' : ` (${r.total.decoding})`}`, String(r.total.workers), fmt(r.total.imagesPerSecond), fmt(r.total.imagesPerCpuSecond)],
    ];
    const verdicts = demand.map((d) => {
      const headroom = r.total.imagesPerSecond / d.imagesPerSecond;
      return { ...d, headroom, enough: headroom >= 1 };
    });
    const table: BenchTable = {
      title: `Loader: CelebA crops (112×112 JPEG) → ${inputSize}×${inputSize} float, batch ${batchSize}, ${batches} batches after 1 warm-up, ${r.cpus} CPUs, decoder ${r.decoder}`,
      columns: ['mode', 'workers', 'img/s (wall)', 'img per CPU-s'],
      rows,
      notes: [
        'img per CPU-s is the contention-free cost (this process’s CPU time, all threads); wall-clock img/s depends on other load on the machine',
        ...(verdicts.length > 0
          ? verdictLines(verdicts)
          : ['no train-step result in this run: run it together (--suite train-step,loader) to compare with the step’s demand']),
        'ours (wasm) computes on one thread in Node, so the prefetch worker has the second core to itself; torch on 2 threads would compete with it',
      ],
    };
    const chart: BenchChart = {
      title: `Loader throughput vs training-step demand (${inputSize}×${inputSize})`,
      unit: 'images/s (wall clock)',
      bars: [
        { group: 'loader', series: 'in-thread (1 core)', value: r.perCore.imagesPerSecond },
        { group: 'loader', series: `prefetch, ${r.total.workers} worker(s)`, value: r.total.imagesPerSecond },
        ...demand.map((d) => ({ group: `demand: ${d.net}`, series: d.side, value: d.imagesPerSecond })),
      ],
    };
    return {
      suite: 'loader', title: this.title, status: 'ok',
      config: { root, inputSize, batchSize, batches, decoder: r.decoder, cpus: r.cpus },
      tables: [table], charts: [chart], data: { loader: r, demand: verdicts },
    };
  },
};
