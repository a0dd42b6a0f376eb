/**
 * The CLIs on a fresh clone: every workspace bin is a committed file that `npm ci` links (npm
 * links a bin only when its target exists, and `dist/` does not exist before a build), and it
 * runs right away, from the TypeScript sources, through @fr/core's launcher. Installed from a
 * tarball the same bins run the built `dist` (pack-and-install.test.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from './helpers/packing.js';

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly bin?: Readonly<Record<string, string>>;
  readonly files?: readonly string[];
}

const packages = readdirSync(join(REPO_ROOT, 'packages'))
  .filter((dir) => existsSync(join(REPO_ROOT, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir: join(REPO_ROOT, 'packages', dir), manifest: JSON.parse(readFileSync(join(REPO_ROOT, 'packages', dir, 'package.json'), 'utf8')) as Manifest }));
const bins = packages.flatMap(({ dir, manifest }) => Object.entries(manifest.bin ?? {}).map(([name, target]) => ({ name, target, dir, manifest })));
const tracked = new Set(execFileSync('git', ['ls-files', 'packages'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n'));

const scratch = mkdtempSync(join(tmpdir(), 'fr-cli-launcher-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('workspace bins', () => {
  test('there are the six CLIs', () => {
    expect(bins.map((b) => b.name).sort()).toEqual(['fr-bench', 'fr-data', 'fr-export', 'fr-fc-plan', 'fr-import', 'fr-train']);
  });

  for (const { name, target, dir, manifest } of bins) {
    test(`${name}: a committed bin/ file through the launcher, shipped, and linked by npm ci`, () => {
      expect(target).toBe(`./bin/${name}.js`);
      const file = join(dir, target);
      expect(tracked.has(`packages/${dir.split('/').pop()}/bin/${name}.js`), `${file} is committed`).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
      expect(text).toContain("from '@fr/core/cli-launcher'");
      expect(manifest.files).toContain('bin');
      expect(realpathSync(join(REPO_ROOT, 'node_modules/.bin', name))).toBe(realpathSync(file));
    });
  }

  test('each runs from the sources with no build: --version prints its name and version', async () => {
    const versions = await Promise.all(bins.map(async ({ name }) => (await promisify(execFile)(join(REPO_ROOT, 'node_modules/.bin', name), ['--version'], { cwd: scratch, encoding: 'utf8' })).stdout));
    expect(versions).toEqual(bins.map(({ name, manifest }) => `${name} ${manifest.version}\n`));
  });
});

describe('the launcher', () => {
  test('a package with neither sources nor dist/ says what is missing and how to fix it, exit code 1', () => {
    const dir = join(scratch, 'fr-broken');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@fr/broken', version: '1.0.0', type: 'module' }));
    const launcher = pathToFileURL(join(REPO_ROOT, 'packages/core/cli-launcher.js')).href;
    writeFileSync(join(dir, 'bin/fr-broken.js'), `import { launchCli } from '${launcher}';\nawait launchCli(new URL('../', import.meta.url));\n`);
    let failure: { status?: number; stderr?: string } = {};
    try {
      execFileSync(process.execPath, [join(dir, 'bin/fr-broken.js')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error as typeof failure;
    }
    expect(failure.status).toBe(1);
    expect(failure.stderr).toBe(`@fr/broken: ${join(dir, 'dist/cli.js')} is missing: reinstall @fr/broken, or build it (npm run build) in a source checkout without tsx\n`);
  });
});
