/**
 * fr-train's command line: flags are declared once (name, value, help), unknown flags are
 * rejected with the closest valid one, and nothing else happens before parsing succeeds.
 */
import { closestName } from '@fr/core';

/** A flag: `--name`, with a value (`--name v` or `--name=v`) or a switch; `repeat` collects every value. */
export interface FlagSpec {
  readonly name: string;
  readonly value?: string;
  readonly repeat?: boolean;
  readonly alias?: string;
  readonly help: string;
}

/** Parsed arguments: positionals, and each flag's value(s) (`true` for a switch). */
export interface Parsed {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string | true | readonly string[]>;
}

/** A command-line mistake: exit code 2, with usage advice. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): Parsed {
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
    if (!arg.startsWith('-') || arg === '-') {
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
      if (eq > 0 && key !== arg) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i] as string;
      else throw new UsageError(`--${spec.name} needs a value: --${spec.name} ${spec.value}`);
    } else if (eq > 0 && key !== arg) {
      throw new UsageError(`--${spec.name} takes no value`);
    }
    if (spec.repeat) {
      const list = (flags.get(spec.name) as string[] | undefined) ?? [];
      list.push(value as string);
      flags.set(spec.name, list);
    } else {
      if (flags.has(spec.name)) throw new UsageError(`--${spec.name} given twice`);
      flags.set(spec.name, value);
    }
  }
  return { positional, flags };
}

/** The options block of a usage text, aligned. */
export function flagHelp(specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => `  ${s.alias ? `${s.alias}, ` : ''}--${s.name}${s.value ? ` ${s.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs.map((s, i) => `${(left[i] as string).padEnd(width)}${s.help}`).join('\n');
}
