/**
 * Calling a resolved factory with the recipe's options: `$numClasses`-style variables are filled
 * in, the result must be a plugin of the slot's kind, and an option name the factory never read is
 * an error (most often a misspelling: the factory would silently use its default instead).
 */
import { closestName, type Plugin, type PluginKind } from '@fr/core';
import type { ResolvedFactory } from './resolve.js';

/** Values a recipe can refer to in plugin options as `"$name"` (a whole string value). */
export type RecipeVariables = Readonly<Record<string, number>>;

/** Replaces `"$name"` strings by the variable's value (`"$$…"` stays a literal `"$…"`). */
export function substituteVariables(value: unknown, variables: RecipeVariables, where: string): unknown {
  if (typeof value === 'string' && value.startsWith('$')) {
    if (value.startsWith('$$')) return value.slice(1);
    const name = value.slice(1);
    if (!(name in variables)) {
      const close = closestName(name, Object.keys(variables));
      throw new Error(`${where}: unknown variable "${value}"${close ? ` (did you mean "$${close}"?)` : ''}; variables: ${Object.keys(variables).map((k) => `$${k}`).join(', ')}`);
    }
    return variables[name];
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteVariables(v, variables, `${where}.${i}`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteVariables(v, variables, `${where}.${k}`)]));
  }
  return value;
}

/**
 * Calls the factory with `options` (variables filled in) watching which option names it reads.
 * Throws naming the slot when the factory rejects its options, ignores one of them (listing the
 * names it did look up), or returns no plugin of the slot's kind. Options are expected to be read
 * when the factory runs, as `checkNumber`/`checkChoice` do.
 * @example
 * ```ts
 * const margin = constructPlugin(resolved, { s: 32 }, { numClasses: 100 });
 * ```
 */
export function constructPlugin<K extends PluginKind>(
  resolved: ResolvedFactory & { kind: K },
  options: Readonly<Record<string, unknown>>,
  variables: RecipeVariables,
  /** Filled in by fr-train when the recipe does not give them (a center bank's sizes); never reported as unread. */
  injected: Readonly<Record<string, unknown>> = {},
): Extract<Plugin, { kind: K }> {
  const label = `${resolved.slot} (${resolved.ref.package} ${resolved.ref.export})`;
  const given = substituteVariables(options, variables, `${resolved.slot}.options`) as Record<string, unknown>;
  const filled = { ...injected, ...given };
  const read = new Set<string>();
  let enumerated = false;
  // Spreading or Object.keys() reads every name at once: then nothing can be said to be unread.
  const watched = new Proxy(filled, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  let plugin: unknown;
  try {
    plugin = resolved.factory(watched);
  } catch (error) {
    throw new Error(`${label}: ${(error as Error).message}`, { cause: error });
  }
  const p = plugin as Partial<Plugin> | null;
  if (p === null || typeof p !== 'object' || typeof p.name !== 'string' || typeof p.kind !== 'string') {
    throw new Error(`${label}: the factory returned ${p === null ? 'null' : typeof p} instead of a plugin object ({ name, kind, … })`);
  }
  if (p.kind !== resolved.kind) {
    throw new Error(`${label}: the factory returned a ${p.kind} plugin ("${p.name}"), but ${resolved.slot} takes a ${resolved.kind} plugin`);
  }
  const unread = enumerated ? [] : Object.keys(given).filter((k) => !read.has(k));
  if (unread.length > 0) {
    const looked = [...read].filter((k) => typeof k === 'string');
    throw new Error(unread.map((k) => {
      const close = closestName(k, looked.filter((r) => !(r in given)));
      return `${label}: unknown option "${k}"${close ? ` (did you mean "${close}"?)` : ''}; the options it reads: ${looked.join(', ') || 'none'}`;
    }).join('\n'));
  }
  return plugin as Extract<Plugin, { kind: K }>;
}
