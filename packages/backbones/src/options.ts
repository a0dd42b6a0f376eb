/**
 * A small validator for architecture options: flat records of numbers, booleans, enums and
 * integer tuples, each with a default. Hand-written rather than zod so that loading a model in a
 * browser bundle pulls in no schema library; errors list every problem at once.
 */
import { closestName } from '@fr/core';

export type FieldSpec =
  | { readonly type: 'int'; readonly default: number; readonly min?: number; readonly max?: number }
  | {
    readonly type: 'number'; readonly default: number; readonly min?: number; readonly max?: number;
    /** Exclude `min` (e.g. strictly positive). */ readonly minExclusive?: boolean;
    /** Exclude `max` (e.g. a probability < 1). */ readonly maxExclusive?: boolean;
  }
  | { readonly type: 'boolean'; readonly default: boolean }
  | { readonly type: 'enum'; readonly default: string; readonly values: readonly string[] }
  | { readonly type: 'ints'; readonly default: readonly number[]; readonly min: readonly number[] }
  | { readonly type: 'literal'; readonly value: string };

export type FieldSpecs = Readonly<Record<string, FieldSpec>>;

function describe(spec: FieldSpec): string {
  switch (spec.type) {
    case 'int':
      return `an integer${spec.min !== undefined ? ` ≥ ${spec.min}` : ''}${spec.max !== undefined ? ` ≤ ${spec.max}` : ''}`;
    case 'number': {
      const lo = spec.min === undefined ? '(-∞' : `${spec.minExclusive ? '(' : '['}${spec.min}`;
      const hi = spec.max === undefined ? '∞)' : `${spec.max}${spec.maxExclusive ? ')' : ']'}`;
      return `a number in ${lo}, ${hi}`;
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'ints':
      return `${spec.min.length} integers ≥ [${spec.min.join(', ')}]`;
    case 'literal':
      return JSON.stringify(spec.value);
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function valid(spec: FieldSpec, v: unknown): boolean {
  switch (spec.type) {
    case 'int':
      return isInt(v) && (spec.min === undefined || v >= spec.min) && (spec.max === undefined || v <= spec.max);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v)
        && (spec.min === undefined || (spec.minExclusive ? v > spec.min : v >= spec.min))
        && (spec.max === undefined || (spec.maxExclusive ? v < spec.max : v <= spec.max));
    case 'boolean':
      return typeof v === 'boolean';
    case 'enum':
      return typeof v === 'string' && spec.values.includes(v);
    case 'ints':
      return Array.isArray(v) && v.length === spec.min.length && v.every((x, i) => isInt(x) && x >= (spec.min[i] as number));
    case 'literal':
      return v === spec.value;
  }
}

/**
 * Fills defaults into `options` and validates every field, then `checks` (cross-field rules
 * returning problem strings). Throws one error naming the architecture and every problem.
 */
export function parseOptions<C>(
  architecture: string,
  fields: FieldSpecs,
  options: Readonly<Record<string, unknown>>,
  checks: (config: Record<string, unknown>) => string[] = () => [],
): C {
  const problems: string[] = [];
  const known = Object.keys(fields);
  for (const key of Object.keys(options)) {
    if (key in fields) continue;
    const close = closestName(key, known);
    problems.push(`unknown option "${key}"${close ? ` (did you mean "${close}"?)` : ''}; known: ${known.join(', ')}`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(fields)) {
    const given = options[key];
    if (given === undefined) {
      config[key] = spec.type === 'literal' ? spec.value : spec.type === 'ints' ? [...spec.default] : spec.default;
    } else if (!valid(spec, given)) {
      problems.push(`${key}: expected ${describe(spec)}, got ${JSON.stringify(given)}`);
    } else {
      config[key] = Array.isArray(given) ? [...given] : given;
    }
  }
  if (problems.length === 0) problems.push(...checks(config));
  if (problems.length > 0) {
    throw new Error(`Invalid options for backbone "${architecture}":\n${problems.map((p) => `  ✖ ${p}`).join('\n')}`);
  }
  return config as C;
}
