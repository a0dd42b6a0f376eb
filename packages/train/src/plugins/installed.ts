/**
 * Finding packages and the plugins they declare. The convention (no registration code in @fr): a
 * package lists its plugin factories in its package.json,
 *
 *     "frPlugins": { "arcface": "margin", "partialFC": "centers", "ringLoss": "loss" }
 *
 * (export name → plugin kind). Any package whose export is a factory works by name in a recipe;
 * the field makes it discoverable (listed when a recipe names a plugin that is not installed)
 * and lets a recipe be checked before anything is imported.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { PluginKind } from '@fr/core';

const KINDS: readonly PluginKind[] = ['centers', 'margin', 'loss', 'augment'];

/** A package's manifest fields that resolution reads. */
export interface PackageManifest {
  readonly name?: string;
  readonly version?: string;
  readonly exports?: unknown;
  readonly main?: string;
  readonly frPlugins?: Readonly<Record<string, PluginKind>>;
}

/** An installed package (its real folder, symlinks followed) and its manifest. */
export interface InstalledPackage {
  readonly name: string;
  readonly dir: string;
  readonly manifest: PackageManifest;
}

/** The `node_modules` folders Node would search from `dir`: its own, then each parent's. */
export function nodeModulesDirs(dir: string): string[] {
  const out: string[] = [];
  let current = resolve(dir);
  for (;;) {
    if (basename(current) !== 'node_modules') out.push(join(current, 'node_modules'));
    const parent = dirname(current);
    if (parent === current) return out;
    current = parent;
  }
}

function readManifest(dir: string): PackageManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
  } catch {
    return undefined;
  }
}

/** Finds `name` as Node does from each folder of `from` in turn; undefined when none has it. */
export function locatePackage(name: string, from: readonly string[]): InstalledPackage | undefined {
  for (const start of from) {
    for (const modules of nodeModulesDirs(start)) {
      const dir = join(modules, name);
      if (!existsSync(join(dir, 'package.json'))) continue;
      const manifest = readManifest(dir);
      if (manifest) return { name, dir: realpathSync(dir), manifest };
    }
  }
  return undefined;
}

/** The plugin kinds a manifest declares, ignoring malformed entries. */
export function declaredPlugins(manifest: PackageManifest): Record<string, PluginKind> {
  const out: Record<string, PluginKind> = {};
  const field = manifest.frPlugins;
  if (field === null || typeof field !== 'object') return out;
  for (const [name, kind] of Object.entries(field)) if (KINDS.includes(kind)) out[name] = kind;
  return out;
}

/**
 * Every package visible from `from` that declares `frPlugins`, nearest first (the one a name
 * would resolve to), sorted by name.
 * @example
 * ```ts
 * for (const p of installedPlugins([process.cwd()])) console.log(p.name, declaredPlugins(p.manifest));
 * ```
 */
export function installedPlugins(from: readonly string[]): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const consider = (name: string, dir: string): void => {
    if (found.has(name)) return;
    const manifest = readManifest(dir);
    if (manifest && Object.keys(declaredPlugins(manifest)).length > 0) found.set(name, { name, dir: realpathSync(dir), manifest });
  };
  for (const start of from) {
    for (const modules of nodeModulesDirs(start)) {
      let entries: string[];
      try {
        entries = readdirSync(modules);
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (entry.startsWith('.')) continue;
        if (entry.startsWith('@')) {
          let scoped: string[] = [];
          try {
            scoped = readdirSync(join(modules, entry));
          } catch {
            continue;
          }
          for (const name of scoped) consider(`${entry}/${name}`, join(modules, entry, name));
        } else {
          consider(entry, join(modules, entry));
        }
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** `@fr/loss-arcface: arcface (margin), cosface (margin), …` lines for error messages and `--list-plugins`. */
export function describeInstalled(packages: readonly InstalledPackage[]): string[] {
  return packages.map((p) => `${p.name}: ${Object.entries(declaredPlugins(p.manifest)).map(([name, kind]) => `${name} (${kind})`).join(', ')}`);
}
