import { flagHelp, numberFlag, PROGRAM_FLAGS, runProgram, stringFlag, UsageError, type CliIo, type FlagSpec, type ParsedFlags } from '@fr/core/cli';
import manifest from '../../package.json' with { type: 'json' };
import { formatBytes, parseBytes } from './bytes.js';
import { planFcMemory, type FcDtype, type FcMemoryPlan, type FcOptimizer } from './fc-memory.js';
import { recommendSampleRate } from './recommend.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'classes', value: 'N', help: 'number of identities (required)' },
  { name: 'dim', value: 'D', help: 'embedding size (default 512)' },
  { name: 'batch', value: 'B', help: 'batch per device (default 128)' },
  { name: 'optimizer', value: 'O', help: 'sgd | sgd-nomomentum | adamw (default sgd)' },
  { name: 'dtype', value: 'T', help: 'float32 | float16 (default float32)' },
  { name: 'sample-rate', value: 'R', help: 'also show this Partial FC sample rate, in (0, 1]' },
  { name: 'devices', value: 'N', help: 'model-parallel shards (default 1)' },
  { name: 'budget', value: 'SIZE', help: 'memory per device, e.g. 8GiB, 12GB: recommends a sample rate' },
  { name: 'json', help: 'print the plans as JSON' },
];

const USAGE = `Usage: fr-fc-plan --classes N [options]

Predicts the per-device memory of a class-centre (FC) layer trained with @fr, and the Partial FC
sample rate that fits a budget.

${flagHelp([...FLAGS, ...PROGRAM_FLAGS])}

Example: fr-fc-plan --classes 2000000 --dim 512 --optimizer sgd --batch 128 --budget 8GiB`;

/** One of `allowed`, or a usage error naming the flag. */
function choice<T extends string>(args: ParsedFlags, name: string, allowed: readonly T[], fallback: T): T {
  const v = stringFlag(args, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, got ${v}`);
  return v as T;
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

function plan(parsed: ParsedFlags, io: CliIo): number {
  const out = (text: string): void => void io.stdout.write(`${text}\n`);
  const budgetText = stringFlag(parsed, 'budget');
  const args = {
    classes: numberFlag(parsed, 'classes', { min: 1 }),
    dim: numberFlag(parsed, 'dim', { integer: true, min: 1 }) ?? 512,
    batch: numberFlag(parsed, 'batch', { integer: true, min: 1 }) ?? 128,
    optimizer: choice<FcOptimizer>(parsed, 'optimizer', ['sgd', 'sgd-nomomentum', 'adamw'], 'sgd'),
    dtype: choice<FcDtype>(parsed, 'dtype', ['float32', 'float16'], 'float32'),
    sampleRate: numberFlag(parsed, 'sample-rate'),
    devices: numberFlag(parsed, 'devices', { integer: true, min: 1 }) ?? 1,
    budget: budgetText === undefined ? undefined : parseBytes(budgetText),
    json: parsed.flags.has('json'),
  };
  if (args.classes === undefined) throw new UsageError('--classes is required');
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
}

/**
 * Runs `fr-fc-plan` with `argv` (without node and the script); returns the exit code (2: bad
 * arguments or a plan the options make impossible).
 * @example
 * ```ts
 * process.exitCode = await runFcPlanCli(['--classes', '2000000', '--budget', '8GiB']);
 * ```
 */
export function runFcPlanCli(argv: readonly string[], io?: CliIo): Promise<number> {
  return runProgram({ name: 'fr-fc-plan', version: manifest.version, commands: { usage: USAGE, flags: FLAGS, run: plan }, exitCodeFor: () => 2 }, argv, io);
}
