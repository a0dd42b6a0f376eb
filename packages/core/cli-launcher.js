/**
 * Starts an @fr command-line tool from its package's committed `bin/<name>.js` (plain JavaScript,
 * shipped as is: it must run before anything is built).
 *
 * Why a launcher: npm links a workspace's bins on `npm ci` only when their target file exists, and
 * on a fresh clone `dist/` does not; so every bin is a committed file that calls this.
 * - In a source checkout (the package has `src/<entry>.ts` and `tsx` resolves) it runs the
 *   TypeScript sources in a child `node --conditions=@fr/source --import tsx`: the commands work
 *   right after `npm ci`, with no build step (which would add minutes to every install) and never
 *   from a stale build. The condition makes every `@fr/*` import, in workers and child processes
 *   too (they inherit the flags), resolve to sources.
 * - In an installed package (no `src/`) it imports `dist/<entry>.js` in this process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Signals a user or a process manager sends; the child gets each one this process gets. */
const RELAYED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** tsx's loader as a file URL (resolved from this file, so it works from any working folder), or undefined. */
function resolveTsx() {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return undefined;
  }
}

/**
 * Runs `src/<entry>.ts` through tsx in a child process with this process's arguments; resolves once
 * it ended, with its exit code set on this process (a child killed by a signal re-raises it here).
 * @param {string} source
 * @param {string} tsx
 * @returns {Promise<void>}
 */
function runSources(source, tsx) {
  const child = spawn(process.execPath, [...process.execArgv, '--conditions=@fr/source', '--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit' });
  // A terminal's Ctrl-C reaches both processes; a signal sent to this pid alone (kill, a test, a
  // process manager) reaches the child only through this. The CLIs treat a repeated SIGINT as one.
  const relay = (/** @type {NodeJS.Signals} */ signal) => {
    child.kill(signal);
  };
  for (const signal of RELAYED) process.on(signal, relay);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`cannot start ${process.execPath} for ${source}: ${error.message}\n`);
      process.exitCode = 1;
    });
    child.on('close', (code, signal) => {
      for (const s of RELAYED) process.off(s, relay);
      if (signal) process.kill(process.pid, signal);
      else process.exitCode = code ?? 1;
      resolve();
    });
  });
}

/**
 * Starts the CLI of the package at `packageUrl` (the folder holding its package.json).
 * @example
 * ```js
 * // packages/bench/bin/fr-bench.js
 * import { launchCli } from '@fr/core/cli-launcher';
 * await launchCli(new URL('../', import.meta.url));
 * ```
 * @param {URL} packageUrl the package's folder, ending in `/`
 * @param {string} [entry] the entry's name: `src/<entry>.ts`, `dist/<entry>.js` (default `cli`)
 * @returns {Promise<void>}
 */
export async function launchCli(packageUrl, entry = 'cli') {
  const source = fileURLToPath(new URL(`src/${entry}.ts`, packageUrl));
  const tsx = existsSync(source) ? resolveTsx() : undefined;
  if (tsx) return runSources(source, tsx);
  const built = new URL(`dist/${entry}.js`, packageUrl);
  if (!existsSync(fileURLToPath(built))) {
    const { name } = JSON.parse(readFileSync(new URL('package.json', packageUrl), 'utf8'));
    process.stderr.write(`${name}: ${fileURLToPath(built)} is missing: reinstall ${name}, or build it (npm run build) in a source checkout without tsx\n`);
    process.exitCode = 1;
    return;
  }
  await import(built.href);
}
