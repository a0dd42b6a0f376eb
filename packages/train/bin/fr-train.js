#!/usr/bin/env node
// The `fr-train` bin. A committed file rather than dist/cli.js itself, so that `npm ci` links the
// bin on a fresh clone; in a source checkout it builds the workspace once when dist/ is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  if (!existsSync(`${repo}turbo.json`) || !existsSync(fileURLToPath(new URL('../src/cli.ts', import.meta.url)))) {
    process.stderr.write('fr-train: dist/cli.js is missing from this install of @fr/train; reinstall the package.\n');
    process.exit(1);
  }
  process.stderr.write('fr-train: first run in this checkout, building the workspace (npm run build)…\n');
  const built = spawnSync('npm', ['run', 'build', '--silent', '--', '--output-logs=errors-only'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
await import(cli.href);
