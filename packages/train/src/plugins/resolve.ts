/**
 * From a recipe's `{ package, export }` to a plugin factory: locate the package from the recipe's
 * folder, then the current folder; import its ESM entry; check the export is a factory of the
 * kind the recipe slot takes. Errors name the slot and list what is installed.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closestName, type PluginKind } from '@fr/core';
import type { PluginRef } from '../recipe/schema.js';
import { exportsEntry, importConditions } from './exports-map.js';
import { declaredPlugins, describeInstalled, installedPlugins, locatePackage, type InstalledPackage } from './installed.js';

/** A plugin factory: `(options) => plugin`. */
export type PluginFactory = (options: Record<string, unknown>) => unknown;

/** A recipe slot resolved to its factory. */
export interface ResolvedFactory {
  /** Where it sits in the recipe: `margin`, `losses[1]`, … */
  readonly slot: string;
  readonly kind: PluginKind;
  readonly ref: PluginRef;
  readonly factory: PluginFactory;
  readonly package: InstalledPackage;
}

/** Where and how packages are looked up. */
export interface ResolveOptions {
  /** Folders to resolve from, in order (the recipe's folder, then the current folder). */
  readonly from: readonly string[];
  /** Export conditions before `import`/`node`/`default` (Node's own `--conditions` are added). */
  readonly conditions?: readonly string[];
}

const cache = new Map<string, Promise<Record<string, unknown>>>();

/** Imports a located package's ESM entry (once per file). */
export async function importPackage(pkg: InstalledPackage, conditions: readonly string[]): Promise<Record<string, unknown>> {
  const entry = exportsEntry(pkg.manifest, '.', importConditions(conditions));
  if (entry === undefined) throw new Error(`package "${pkg.name}" (${pkg.dir}) exports no entry for import`);
  const url = pathToFileURL(join(pkg.dir, entry)).href;
  let loading = cache.get(url);
  if (!loading) {
    loading = import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>;
    cache.set(url, loading);
    loading.catch(() => cache.delete(url));
  }
  try {
    return await loading;
  } catch (error) {
    throw new Error(`cannot import "${pkg.name}" from ${join(pkg.dir, entry)}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Resolves one plugin reference of a recipe slot to its factory, or throws naming the slot: an
 * unknown package lists the installed plugin packages; an unknown export lists the package's
 * factories; a factory declared for another kind says which slot it belongs to.
 * @example
 * ```ts
 * const { factory } = await resolveFactory({ package: '@fr/loss-arcface', export: 'arcface', options: {} }, 'margin', 'margin', { from: [process.cwd()] });
 * ```
 */
export async function resolveFactory(ref: PluginRef, slot: string, kind: PluginKind, options: ResolveOptions): Promise<ResolvedFactory> {
  const pkg = locatePackage(ref.package, options.from);
  if (!pkg) {
    const installed = installedPlugins(options.from);
    const close = closestName(ref.package, installed.map((p) => p.name), 4);
    throw new Error([
      `${slot}: package "${ref.package}" is not installed${close ? ` (did you mean "${close}"?)` : ''} — looked in node_modules from ${options.from.join(' and ')}.`,
      installed.length > 0 ? `Installed plugin packages:\n${describeInstalled(installed).map((l) => `      ${l}`).join('\n')}` : 'No installed package declares "frPlugins".',
    ].join('\n    '));
  }
  const declared = declaredPlugins(pkg.manifest);
  const declaredKind = declared[ref.export];
  if (declaredKind !== undefined && declaredKind !== kind) {
    throw new Error(`${slot}: ${ref.package}'s "${ref.export}" is a ${declaredKind} plugin, but ${slot} takes a ${kind} plugin`);
  }
  const module = await importPackage(pkg, options.conditions ?? []);
  const factory = module[ref.export];
  if (factory === undefined) {
    const factories = Object.keys(declared).length > 0 ? Object.keys(declared) : Object.keys(module).filter((k) => typeof module[k] === 'function');
    const close = closestName(ref.export, factories, 3);
    throw new Error(`${slot}: "${ref.package}" has no export "${ref.export}"${close ? ` (did you mean "${close}"?)` : ''}; its plugin factories: ${factories.join(', ') || 'none'}`);
  }
  if (typeof factory !== 'function') throw new Error(`${slot}: "${ref.package}".${ref.export} is a ${typeof factory}, not a plugin factory (a function (options) => plugin)`);
  return { slot, kind, ref, factory: factory as PluginFactory, package: pkg };
}
