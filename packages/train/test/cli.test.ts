/**
 * The fr-train command: in-process for arguments (exit codes, messages, nothing else printed),
 * and as a real process for Ctrl-C → checkpoint → `--resume latest`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../src/index.js';
import manifest from '../package.json' with { type: 'json' };

const tiny = fileURLToPath(new URL('./fixtures/tiny.json', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'fr-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('fr-train arguments', () => {
  test('--version and --help', async () => {
    expect(await cli('--version')).toEqual({ code: 0, stdout: `fr-train ${manifest.version}\n`, stderr: '' });
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const flag of ['--set', '--resume', '--dry-run', '--print-recipe', '--backend', '--list-plugins']) expect(help.stdout).toContain(flag);
  });

  test('an unknown flag is rejected with the closest one, before anything else is printed', async () => {
    expect(await cli(tiny, '--dryrun')).toEqual({ code: 2, stdout: '', stderr: "fr-train: unknown option --dryrun (did you mean --dry-run?)\nRun 'fr-train --help' for the options.\n" });
    expect((await cli(tiny, '--resum', 'latest')).stderr).toMatch(/unknown option --resum \(did you mean --resume\?\)/);
    expect((await cli(tiny, '--set')).stderr).toMatch(/--set needs a value/);
    expect((await cli()).stderr).toMatch(/no recipe given/);
    expect((await cli(tiny, '--dry-run', '--resume', 'latest')).stderr).toMatch(/--dry-run and --resume cannot be combined/);
    expect((await cli(tiny, '--backend', 'gpu')).stderr).toMatch(/--backend must be auto, tensorflow, webgpu, wasm or cpu/);
  });

  test('a recipe error exits 2 naming the file and field; --print-recipe prints the resolved recipe only', async () => {
    const bad = await cli(tiny, '--set', 'optimizer.lr=-1');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/tiny\.json: invalid recipe:\n {2}- optimizer\.lr: .* \(got -1\)/);
    const printed = await cli(tiny, '--print-recipe', '--set', `output.dir=${out}/p`);
    expect(printed.code).toBe(0);
    const recipe = JSON.parse(printed.stdout) as { name: string; output: { dir: string }; data: { train: { imageFolder: string } } };
    expect(recipe.name).toBe('tiny');
    expect(recipe.output.dir).toBe(`${out}/p`);
    expect(recipe.data.train.imageFolder).toBe(join(fileURLToPath(new URL('./fixtures/', import.meta.url)), 'no-such-folder'));
  });

  test('--list-plugins lists the installed plugin packages', async () => {
    const listed = await cli('--list-plugins');
    expect(listed.stdout).toMatch(/^@fr\/loss-arcface: arcface \(margin\)/m);
    expect(listed.stdout).toMatch(/^fr-plugin-ring-loss: ringLoss \(loss\)$/m);
  });
});

interface LoggedStep { type: string; step: number; loss: number }
const steps = (dir: string): LoggedStep[] => (existsSync(join(dir, 'train.jsonl'))
  ? readFileSync(join(dir, 'train.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LoggedStep).filter((e) => e.type === 'step')
  : []);

/**
 * The `fr-train` bin in a child process: its launcher runs the sources in a grandchild (node
 * --conditions=@fr/source --import tsx) and relays the SIGINT sent to it.
 */
function child(args: string[], interruptAfterStep?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(repo, 'packages/train/bin/fr-train.js'), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += String(d)));
    p.stderr.on('data', (d) => (stderr += String(d)));
    let timer: NodeJS.Timeout | undefined;
    if (interruptAfterStep !== undefined) {
      timer = setInterval(() => {
        if (steps(`${out}/run`).some((s) => s.step >= interruptAfterStep)) {
          clearInterval(timer);
          p.kill('SIGINT');
        }
      }, 5);
    }
    p.on('error', reject);
    p.on('exit', (code) => {
      if (timer) clearInterval(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('fr-train as a process', () => {
  test('Ctrl-C saves a checkpoint and exits 130; --resume latest continues to the end and writes model, report and TensorBoard file', async () => {
    const args = [tiny, '--set', `output.dir=${out}/run`];
    const cut = await child(args, 1);
    expect(cut.code, cut.stderr).toBe(130);
    expect(cut.stdout).toMatch(/interrupted at step \d+\/12; checkpoint .*step-\d+\.frckpt — run the same command with --resume latest/);
    const before = steps(`${out}/run`);
    expect(before.length).toBeLessThan(12);
    expect(readdirSync(`${out}/run/checkpoints`).length).toBeGreaterThan(0);

    const resumed = await child([...args, '--resume', 'latest']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).not.toMatch(/^\[fr-train\] untrained /m); // the first run evaluated the untrained network
    const all = steps(`${out}/run`);
    expect(all.at(-1)?.step).toBe(11);
    expect(all.length).toBe(12); // no step replayed: the interrupt checkpoint is the last step done
    for (const f of ['model/model.json', 'report.html', 'report/synthetic-pairs.html']) expect(existsSync(`${out}/run/${f}`), f).toBe(true);
    expect(readdirSync(`${out}/run/tensorboard`)).toHaveLength(2); // one event file per process
    expect(resumed.stdout).toMatch(/trained synthetic-pairs: accuracy \d+\.\d\d% ± /);
  });
});
