import { formatBytes, parseBytes } from './bytes.js';
import { planFcMemory, type FcDtype, type FcMemoryPlan, type FcOptimizer } from './fc-memory.js';
import { recommendSampleRate } from './recommend.js';

const USAGE = `Usage: fr-fc-plan --classes N [options]

Predicts the per-device memory of a class-centre (FC) layer trained with @fr, and the Partial FC
sample rate that fits a budget.

  --classes N         number of identities (required)
  --dim D             embedding size (default 512)
  --batch B           batch per device (default 128)
  --optimizer O       sgd | sgd-nomomentum | adamw (default sgd)
  --dtype T           float32 | float16 (default float32)
  --sample-rate R     also show this Partial FC sample rate, in (0, 1]
  --devices N         model-parallel shards (default 1)
  --budget SIZE       memory per device, e.g. 8GiB, 12GB: recommends a sample rate
  --json              print the plans as JSON
  --help              this text

Example: fr-fc-plan --classes 2000000 --dim 512 --optimizer sgd --batch 128 --budget 8GiB`;

interface Args {
  classes?: number;
  dim: number;
  batch: number;
  optimizer: FcOptimizer;
  dtype: FcDtype;
  sampleRate?: number;
  devices: number;
  budget?: number;
  json: boolean;
  help: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { dim: 512, batch: 128, optimizer: 'sgd', dtype: 'float32', devices: 1, json: false, help: false };
  const number = (flag: string, v: string): number => {
    const n = Number(v.replace(/_/g, ''));
    if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`${flag} needs a number, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const [flag, inline] = raw.includes('=') ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)] : [raw, undefined];
    if (flag === '--help' || flag === '-h') {
      args.help = true;
      continue;
    }
    if (flag === '--json') {
      args.json = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case '--classes': args.classes = number(flag, value); break;
      case '--dim': args.dim = number(flag, value); break;
      case '--batch': args.batch = number(flag, value); break;
      case '--devices': args.devices = number(flag, value); break;
      case '--sample-rate': args.sampleRate = number(flag, value); break;
      case '--budget': args.budget = parseBytes(value); break;
      case '--optimizer':
        if (value !== 'sgd' && value !== 'sgd-nomomentum' && value !== 'adamw') throw new Error(`--optimizer must be sgd, sgd-nomomentum or adamw, got ${value}`);
        args.optimizer = value;
        break;
      case '--dtype':
        if (value !== 'float32' && value !== 'float16') throw new Error(`--dtype must be float32 or float16, got ${value}`);
        args.dtype = value;
        break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return args;
}

function table(plans: readonly [string, FcMemoryPlan][]): string {
  const rows: [string, (p: FcMemoryPlan) => string][] = [
    ['classes per device', (p) => p.classesPerDevice.toLocaleString('en-US')],
    ['centres per step', (p) => p.activeCentres.toLocaleString('en-US')],
    ['weight', (p) => formatBytes(p.bytes.weight)],
    ['optimiser slots', (p) => formatBytes(p.bytes.optimizerSlots)],
    ['gradient', (p) => formatBytes(p.bytes.gradient)],
    ['active centres', (p) => formatBytes(p.bytes.activeCentres)],
    ['logits/softmax', (p) => formatBytes(p.bytes.logits)],
    ['optimiser update', (p) => formatBytes(p.bytes.update)],
    ['peak: fwd/backward', (p) => formatBytes(p.bytes.backwardPeak)],
    ['peak: update', (p) => formatBytes(p.bytes.updatePeak)],
    ['total (peak)', (p) => formatBytes(p.bytes.total)],
  ];
  const header = ['', ...plans.map(([title]) => title)];
  const body = rows.map(([label, cell]) => [label, ...plans.map(([, p]) => cell(p))]);
  const widths = header.map((_, c) => Math.max(...[header, ...body].map((r) => (r[c] as string).length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ').trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}

/** Runs `fr-fc-plan` with `argv` (without node and the script); returns the exit code. */
export function runFcPlanCli(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(`${t}\n`), err: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    err(`fr-fc-plan: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }
  if (args.classes === undefined) {
    err(`fr-fc-plan: --classes is required\n\n${USAGE}`);
    return 2;
  }
  try {
    const base = { numClasses: args.classes, embeddingSize: args.dim, batchSize: args.batch, optimizer: args.optimizer, dtype: args.dtype, devices: args.devices };
    const plans: [string, FcMemoryPlan][] = [['rate 1 (full FC)', planFcMemory({ ...base, sampleRate: 1 })]];
    if (args.sampleRate !== undefined && args.sampleRate !== 1) plans.push([`rate ${args.sampleRate}`, planFcMemory({ ...base, sampleRate: args.sampleRate })]);
    const advice = args.budget !== undefined ? recommendSampleRate({ ...base, budgetBytes: args.budget }) : null;
    if (advice?.sampleRate != null && advice.sampleRate !== 1 && advice.sampleRate !== args.sampleRate) plans.push([`rate ${advice.sampleRate} (recommended)`, advice.plan]);
    if (args.json) {
      out(JSON.stringify({ plans: Object.fromEntries(plans), advice }, null, 2));
      return 0;
    }
    out(`${args.classes.toLocaleString('en-US')} classes × ${args.dim}-d, ${args.dtype}, ${args.optimizer}, batch ${args.batch} × ${args.devices} device${args.devices === 1 ? '' : 's'} (bytes per device)\n`);
    out(table(plans));
    if (advice) {
      const budget = formatBytes(advice.budgetBytes);
      out('');
      if (advice.sampleRate === 1) out(`Budget ${budget}: the full FC fits (sample rate 1).`);
      else if (advice.sampleRate !== null) out(`Budget ${budget}: recommended sample rate ${advice.sampleRate} (${advice.plan.activeCentres.toLocaleString('en-US')} centres per step, peak ${formatBytes(advice.plan.bytes.total)}).`);
      else out(`Budget ${budget}: ${advice.reason}.`);
    }
    return 0;
  } catch (error) {
    err(`fr-fc-plan: ${(error as Error).message}`);
    return 2;
  }
}
