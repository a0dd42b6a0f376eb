/**
 * `--set path=value` overrides, typed by the recipe schema: `optimizer.lr=0.05` sets a number,
 * `output.tensorboard=false` a boolean, `schedule={type: step, milestones: [10, 20]}` an object
 * (YAML flow syntax), plugin options (which the schema leaves to the plugin) a YAML scalar.
 */
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { accepts, schemaAt } from './schema-walk.js';

/** One parsed `--set`: the field path and the raw text after `=`. */
export interface Override {
  readonly path: readonly string[];
  readonly text: string;
}

/** Splits `a.b.c=value` (the value may contain `=`). */
export function parseOverride(arg: string): Override {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--set ${arg}: expected field.path=value, e.g. --set optimizer.lr=0.05`);
  const path = arg.slice(0, eq).split('.');
  if (path.some((k) => k === '')) throw new Error(`--set ${arg}: empty field name in "${arg.slice(0, eq)}"`);
  return { path, text: arg.slice(eq + 1) };
}

function yamlValue(text: string, where: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new Error(`--set ${where}: cannot parse ${JSON.stringify(text)} (${(error as Error).message.split('\n')[0]})`);
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Converts the text of an override to the JSON value the field takes, or throws saying what it takes. */
export function typedValue(schema: z.ZodType, recipe: unknown, override: Override): unknown {
  const where = override.path.join('.');
  const lookup = schemaAt(schema, override.path, recipe);
  if ('error' in lookup) throw new Error(`--set ${lookup.error}`);
  const text = override.text.trim();
  if (lookup.free) return yamlValue(text, where);
  const a = accepts(lookup.node);
  if (a.null && text === 'null') return null;
  if (a.boolean && (text === 'true' || text === 'false')) return text === 'true';
  if (a.number && NUMBER.test(text)) return Number(text);
  const choice = a.choices.find((c) => String(c) === text);
  if (choice !== undefined) return choice;
  if (a.string) return override.text;
  if (a.structured && /^[[{]/.test(text)) return yamlValue(text, where);
  const kinds = [
    a.number && 'a number', a.boolean && 'true or false', a.null && 'null', a.structured && 'an object or list ({…} / […])',
    a.choices.length > 0 && `one of ${a.choices.map((c) => JSON.stringify(c)).join(', ')}`,
  ].filter(Boolean);
  throw new Error(`--set ${where}: expected ${kinds.join(' or ')}, got ${JSON.stringify(override.text)}`);
}

/** Applies overrides in order to a raw (unvalidated) recipe, creating missing objects on the way. */
export function applyOverrides(schema: z.ZodType, recipe: Record<string, unknown>, overrides: readonly Override[]): Record<string, unknown> {
  const out = structuredClone(recipe);
  for (const override of overrides) {
    const value = typedValue(schema, out, override);
    let target: Record<string, unknown> = out;
    override.path.slice(0, -1).forEach((key, i) => {
      const next = target[key];
      if (next === null || typeof next !== 'object') {
        // An index creates a list slot, a name an object.
        target[key] = /^\d+$/.test(override.path[i + 1] as string) ? [] : {};
      }
      target = target[key] as Record<string, unknown>;
    });
    target[override.path[override.path.length - 1] as string] = value;
  }
  return out;
}
