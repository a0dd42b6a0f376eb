/**
 * Plugin resolution against a real folder layout: a third-party package installed in a temporary
 * node_modules beside a recipe (plain ESM, as published), found by name with no registration.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { constructPlugin, exportsEntry, installedPlugins, locatePackage, resolveFactory, substituteVariables } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'fr-plugins-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const project = join(root, 'project');
const recipes = join(project, 'recipes');
const pkg = join(project, 'node_modules', 'fr-plugin-demo');
mkdirSync(join(pkg, 'dist'), { recursive: true });
mkdirSync(recipes, { recursive: true });
writeFileSync(join(pkg, 'package.json'), JSON.stringify({
  name: 'fr-plugin-demo', version: '1.2.3', type: 'module',
  exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.cjs' }, './package.json': './package.json' },
  frPlugins: { scaledNorm: 'loss', notAKind: 'widget' },
}));
writeFileSync(join(pkg, 'dist', 'index.js'), `
export function scaledNorm(options = {}) {
  const weight = options.weight ?? 1;
  if (!(weight > 0)) throw new Error('scaledNorm: weight must be positive, got ' + weight);
  return { name: options.name ?? 'scaled-norm', kind: 'loss', weight, terms: () => ({ terms: {} }) };
}
export function notAPlugin() { return 42; }
export const version = '1.2.3';
`);
const ref = (exp: string, options: Record<string, unknown> = {}) => ({ package: 'fr-plugin-demo', export: exp, options });

describe('finding plugin packages', () => {
  test('locates a package from the recipe folder upwards, and lists the ones that declare frPlugins', () => {
    expect(locatePackage('fr-plugin-demo', [recipes])?.manifest.version).toBe('1.2.3');
    expect(locatePackage('fr-plugin-demo', [root])).toBeUndefined();
    const listed = installedPlugins([recipes]).map((p) => p.name);
    expect(listed).toEqual(['fr-plugin-demo']);
  });

  test('exports maps resolve with ESM conditions, in key order, types skipped', () => {
    const manifest = { exports: { '.': { '@fr/source': './src/index.ts', import: { types: './a.d.ts', default: './a.js' }, require: './a.cjs' } } };
    expect(exportsEntry(manifest, '.', ['import', 'node', 'default'])).toBe('./a.js');
    expect(exportsEntry(manifest, '.', ['@fr/source', 'import', 'default'])).toBe('./src/index.ts');
    expect(exportsEntry({ exports: './main.js' }, '.', ['import'])).toBe('./main.js');
    expect(exportsEntry({ main: 'lib/x.js' }, '.', ['import'])).toBe('lib/x.js');
    expect(exportsEntry({ exports: { '.': { require: './a.cjs' } } }, '.', ['import', 'default'])).toBeUndefined();
  });
});

describe('resolving and building a plugin', () => {
  const from = { from: [recipes, root] };

  test('a third-party factory is found by name, built with its options, checked for its kind', async () => {
    const resolved = await resolveFactory(ref('scaledNorm'), 'losses.0', 'loss', from);
    expect(resolved.package.dir.endsWith('fr-plugin-demo')).toBe(true);
    const plugin = constructPlugin(resolved, { weight: 2 }, {}) as unknown as { name: string; weight: number };
    expect(plugin).toMatchObject({ name: 'scaled-norm', kind: 'loss', weight: 2 });
  });

  test('an unknown package lists the installed plugin packages, with the closest name', async () => {
    await expect(resolveFactory({ package: 'fr-plugin-dem', export: 'x', options: {} }, 'losses.0', 'loss', from))
      .rejects.toThrow(/losses\.0: package "fr-plugin-dem" is not installed \(did you mean "fr-plugin-demo"\?\)[\s\S]*fr-plugin-demo: scaledNorm \(loss\)/);
  });

  test('an unknown export suggests the closest factory; a factory of another kind names its slot', async () => {
    await expect(resolveFactory(ref('scaledNrom'), 'losses.0', 'loss', from)).rejects.toThrow(/has no export "scaledNrom" \(did you mean "scaledNorm"\?\)/);
    await expect(resolveFactory(ref('scaledNorm'), 'margin', 'margin', from)).rejects.toThrow(/margin: fr-plugin-demo's "scaledNorm" is a loss plugin, but margin takes a margin plugin/);
    await expect(resolveFactory(ref('version'), 'losses.0', 'loss', from)).rejects.toThrow(/is a string, not a plugin factory/);
    const notPlugin = await resolveFactory(ref('notAPlugin'), 'losses.0', 'loss', from);
    expect(() => constructPlugin(notPlugin, {}, {})).toThrow(/returned number instead of a plugin object/);
  });

  test('an option the factory never reads is an error naming the options it does read; a rejected value keeps the factory message', async () => {
    const resolved = await resolveFactory(ref('scaledNorm'), 'losses.0', 'loss', from);
    expect(() => constructPlugin(resolved, { wieght: 2 }, {})).toThrow(/losses\.0 \(fr-plugin-demo scaledNorm\): unknown option "wieght" \(did you mean "weight"\?\); the options it reads: weight, name$/);
    expect(() => constructPlugin(resolved, { weight: -1 }, {})).toThrow(/losses\.0 \(fr-plugin-demo scaledNorm\): scaledNorm: weight must be positive, got -1/);
    // Injected sizes are not the recipe's: never reported.
    expect(() => constructPlugin(resolved, {}, {}, { numClasses: 10 })).not.toThrow();
  });

  test('$variables fill option values; an unknown one is named with the known ones', () => {
    expect(substituteVariables({ n: '$numClasses', s: '$$literal', list: ['$seed'] }, { numClasses: 7, seed: 3 }, 'o')).toEqual({ n: 7, s: '$literal', list: [3] });
    expect(() => substituteVariables({ n: '$numClass' }, { numClasses: 7 }, 'losses.0.options')).toThrow(/losses\.0\.options\.n: unknown variable "\$numClass" \(did you mean "\$numClasses"\?\)/);
  });

  test('a package installed as a symlink (a workspace) resolves to its real folder', () => {
    const linked = join(root, 'linked');
    mkdirSync(join(linked, 'node_modules'), { recursive: true });
    symlinkSync(pkg, join(linked, 'node_modules', 'fr-plugin-demo'));
    expect(locatePackage('fr-plugin-demo', [linked])?.dir).toBe(locatePackage('fr-plugin-demo', [recipes])?.dir);
  });
});
