/**
 * Command-line flags, declared once (name, value, help) for every @fr CLI: unknown flags are
 * rejected naming the closest declared one, and typed readers name the flag at fault.
 */
import { closestName } from '../util/closest-name.js';

/** A flag: `--name`, with a value (`--name v` or `--name=v`) or a switch; `repeat` collects every value. */
export interface FlagSpec {
  readonly name: string;
  /** The value's placeholder in help (`<dir>`); absent for a switch. */
  readonly value?: string;
  /** The value may be left out (`--profile` or `--profile 20`): alone, the flag reads `true`. */
  readonly optionalValue?: boolean;
  readonly repeat?: boolean;
  readonly alias?: string;
  readonly help: string;
}

/** Parsed arguments: positionals, and each given flag's value(s) (`true` for a switch). */
export interface ParsedFlags {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string | true | readonly string[]>;
}

/** A command-line mistake: the CLI exits with code 2 and points at `--help`. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Parses `argv` against the declared flags. Everything after `--` is positional.
 * @throws UsageError for an undeclared flag (naming the closest declared one), a missing value, a
 *   value given to a switch, or a non-repeatable flag given twice.
 * @example
 * ```ts
 * const { positional, flags } = parseFlags(['a.json', '--steps=3'], [{ name: 'steps', value: '<n>', help: 'steps to train' }]);
 * // positional ['a.json'], flags Map { 'steps' => '3' }
 * ```
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(`--${s.name}`, s);
    if (s.alias) byName.set(s.alias, s);
  }
  const positional: string[] = [];
  const flags = new Map<string, string | true | string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    const spec = byName.get(key);
    if (!spec) {
      const close = closestName(key, [...byName.keys()].filter((k) => k.startsWith('--')), 3);
      throw new UsageError(`unknown option ${key}${close ? ` (did you mean ${close}?)` : ''}`);
    }
    let value: string | true = true;
    if (spec.value) {
      const next = argv[i + 1];
      if (eq > 0 && key !== arg) value = arg.slice(eq + 1);
      else if (spec.optionalValue) value = next !== undefined && !next.startsWith('-') ? (argv[++i] as string) : true;
      // `--model --pairs p.txt`: a forgotten value, not a model named "--pairs".
      else if (next !== undefined && !next.startsWith('--')) value = argv[++i] as string;
      else throw new UsageError(`--${spec.name} needs a value: --${spec.name} ${spec.value}`);
    } else if (eq > 0 && key !== arg) {
      throw new UsageError(`--${spec.name} takes no value`);
    }
    if (spec.repeat) {
      const list = (flags.get(spec.name) as string[] | undefined) ?? [];
      list.push(String(value));
      flags.set(spec.name, list);
    } else {
      if (flags.has(spec.name)) throw new UsageError(`--${spec.name} given twice`);
      flags.set(spec.name, value);
    }
  }
  return { positional, flags };
}

/**
 * The options block of a usage text, aligned.
 * @example
 * ```ts
 * flagHelp([{ name: 'out', value: '<dir>', help: 'output folder' }]); // '  --out <dir>  output folder'
 * ```
 */
export function flagHelp(specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => `  ${s.alias ? `${s.alias}, ` : ''}--${s.name}${s.value ? (s.optionalValue ? ` [${s.value}]` : ` ${s.value}`) : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs.map((s, i) => `${(left[i] as string).padEnd(width)}${s.help}`).join('\n');
}

/**
 * A flag's value, or undefined when it was not given.
 * @example
 * ```ts
 * const out = stringFlag(parsed, 'out') ?? 'runs/report';
 * ```
 */
export function stringFlag(parsed: ParsedFlags, name: string): string | undefined {
  const v = parsed.flags.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a value`);
  return v;
}

/**
 * A flag's value; a {@link UsageError} naming it when it was not given.
 * @example
 * ```ts
 * const model = requiredFlag(parsed, 'model'); // 'missing --model' when absent
 * ```
 */
export function requiredFlag(parsed: ParsedFlags, name: string, hint = ''): string {
  const v = stringFlag(parsed, name);
  if (v === undefined) throw new UsageError(`missing --${name}${hint ? ` ${hint}` : ''}`);
  return v;
}

/** Bounds of {@link numberFlag}. */
export interface NumberFlagRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/**
 * A numeric flag, checked against `rule`, or undefined when it was not given.
 * @example
 * ```ts
 * const batch = numberFlag(parsed, 'batch', { integer: true, min: 1 }) ?? 64;
 * ```
 */
export function numberFlag(parsed: ParsedFlags, name: string, rule: NumberFlagRule = {}): number | undefined {
  const v = stringFlag(parsed, name);
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  const min = rule.min ?? -Infinity;
  const max = rule.max ?? Infinity;
  if (v.trim() === '' || !Number.isFinite(n) || (rule.integer && !Number.isInteger(n)) || n < min || n > max) {
    const range = Number.isFinite(min) || Number.isFinite(max) ? ` in [${Number.isFinite(min) ? min : '-∞'}, ${Number.isFinite(max) ? max : '∞'}]` : '';
    throw new UsageError(`--${name} must be ${rule.integer ? 'an integer' : 'a number'}${range}, got ${JSON.stringify(v)}`);
  }
  return n;
}
