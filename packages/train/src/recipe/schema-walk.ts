/**
 * Reading the recipe schema itself: which fields exist at a path (for "did you mean" hints) and
 * which JSON types a field accepts (so `--set optimizer.lr=0.05` becomes the number 0.05).
 * Works on zod 4's public `def` of each schema node.
 */
import type { z } from 'zod';
import { closestName } from '@fr/core';

type Node = z.ZodType;

interface Def {
  readonly type: string;
  readonly innerType?: Node;
  readonly in?: Node;
  readonly shape?: Record<string, Node>;
  readonly valueType?: Node;
  readonly element?: Node;
  readonly options?: readonly Node[];
  readonly discriminator?: string;
  readonly entries?: Record<string, string | number>;
  readonly values?: readonly unknown[];
}

const defOf = (node: Node): Def => (node as unknown as { _zod: { def: Def } })._zod.def;

/** Strips defaults, optionals, nullables and pipes; says whether `null` is accepted on the way. */
function unwrap(node: Node): { node: Node; nullable: boolean } {
  let nullable = false;
  for (;;) {
    const d = defOf(node);
    if (d.type === 'nullable') nullable = true;
    if ((d.type === 'default' || d.type === 'prefault' || d.type === 'optional' || d.type === 'nullable' || d.type === 'readonly' || d.type === 'catch') && d.innerType) node = d.innerType;
    else if (d.type === 'pipe' && d.in) node = d.in;
    else return { node, nullable };
  }
}

/** Every alternative of a union, flattened, unwrapped. */
function alternatives(node: Node): Node[] {
  const { node: n } = unwrap(node);
  const d = defOf(n);
  return d.type === 'union' && d.options ? d.options.flatMap(alternatives) : [n];
}

/** The field names an object node (or any object alternative of a union) accepts. */
export function fieldNames(node: Node): string[] {
  const names = new Set<string>();
  for (const alt of alternatives(node)) {
    const d = defOf(alt);
    if (d.type === 'object' && d.shape) for (const k of Object.keys(d.shape)) names.add(k);
  }
  return [...names];
}

/** The field names of the alternative `value` matches (a discriminated union: by its discriminator). */
export function fieldNamesFor(node: Node, value: unknown): string[] {
  const options = alternatives(node);
  return options.length > 1 ? fieldNames(pickAlternative(options, value, '')) : fieldNames(node);
}

/** Describes what a union of objects accepts, e.g. `{imageFolder, include, exclude} or {rec, limitPerClass}`. */
export function describeAlternatives(node: Node): string {
  return alternatives(node).map((alt) => {
    const d = defOf(alt);
    if (d.type === 'object' && d.shape) return `{${Object.keys(d.shape).join(', ')}}`;
    if (d.type === 'literal') return (d.values ?? []).map((v) => JSON.stringify(v)).join(' or ');
    if (d.type === 'enum') return Object.values(d.entries ?? {}).map((v) => JSON.stringify(v)).join(', ');
    return d.type;
  }).join(' or ');
}

export type SchemaLookup = { readonly node: Node; readonly free: false } | { readonly node: null; readonly free: true } | { readonly error: string };

/**
 * The schema node at `path` (keys and array indices), choosing union alternatives by the value
 * already there (a discriminated union by its discriminator). `free` means the schema stops
 * describing the value (plugin options): anything goes, the plugin validates it.
 */
export function schemaAt(root: Node, path: readonly string[], value: unknown): SchemaLookup {
  let node = root;
  let current = value;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string;
    const where = path.slice(0, i + 1).join('.');
    const options = alternatives(node);
    const pick = pickAlternative(options, current, key);
    const d = defOf(pick);
    const next = (current !== null && typeof current === 'object') ? (current as Record<string, unknown>)[key] : undefined;
    if (d.type === 'object' && d.shape) {
      const child = d.shape[key];
      if (!child) {
        const known = fieldNames(options.length > 1 ? pick : node);
        const close = closestName(key, known);
        return { error: `${where}: unknown field${close ? ` (did you mean "${path.slice(0, i).concat(close).join('.')}"?)` : ''}; allowed here: ${known.join(', ')}` };
      }
      node = child;
    } else if (d.type === 'record' && d.valueType) {
      node = d.valueType;
    } else if (d.type === 'array' && d.element) {
      if (!/^\d+$/.test(key)) return { error: `${where}: "${key}" is not an array index (0, 1, …)` };
      node = d.element;
    } else if (d.type === 'unknown' || d.type === 'any') {
      return { node: null, free: true };
    } else {
      return { error: `${where}: ${path.slice(0, i).join('.') || '(root)'} is a ${d.type}, it has no field "${key}"` };
    }
    current = next;
  }
  return defOf(unwrap(node).node).type === 'unknown' ? { node: null, free: true } : { node, free: false };
}

function pickAlternative(options: Node[], current: unknown, key: string): Node {
  if (options.length === 1) return options[0] as Node;
  const value = current !== null && typeof current === 'object' ? (current as Record<string, unknown>) : {};
  // A discriminated alternative whose literal matches the value's discriminator.
  for (const alt of options) {
    const shape = defOf(alt).shape;
    if (!shape) continue;
    const literal = Object.entries(shape).find(([, n]) => defOf(unwrap(n).node).type === 'literal');
    if (literal && (defOf(unwrap(literal[1]).node).values ?? []).includes(value[literal[0]])) return alt;
  }
  // Else the first alternative that has the key and the keys already present.
  const fits = (alt: Node): boolean => {
    const shape = defOf(alt).shape;
    return Boolean(shape && key in shape && Object.keys(value).every((k) => k in shape));
  };
  return options.find(fits) ?? options.find((alt) => Boolean(defOf(alt).shape?.[key])) ?? (options[0] as Node);
}

/** JSON kinds a field accepts. */
export interface Accepts {
  readonly number: boolean;
  readonly boolean: boolean;
  readonly string: boolean;
  readonly null: boolean;
  readonly structured: boolean;
  /** Literal/enum values allowed (when the field takes only those). */
  readonly choices: readonly (string | number | boolean)[];
}

export function accepts(node: Node): Accepts {
  const out = { number: false, boolean: false, string: false, null: unwrap(node).nullable, structured: false, choices: [] as (string | number | boolean)[] };
  for (const alt of alternatives(node)) {
    const d = defOf(alt);
    if (d.type === 'number' || d.type === 'int') out.number = true;
    else if (d.type === 'boolean') out.boolean = true;
    else if (d.type === 'string') out.string = true;
    else if (d.type === 'null') out.null = true;
    else if (d.type === 'enum') out.choices.push(...Object.values(d.entries ?? {}));
    else if (d.type === 'literal') out.choices.push(...((d.values ?? []) as (string | number | boolean)[]));
    else out.structured = true;
  }
  return out;
}
