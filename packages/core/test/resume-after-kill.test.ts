import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bundleScript } from './helpers/bundle.js';

interface StepLine { type: string; step: number; loss: number }

const readSteps = (dir: string): StepLine[] =>
  existsSync(`${dir}/log.jsonl`)
    ? readFileSync(`${dir}/log.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as StepLine).filter((e) => e.type === 'step')
    : [];

function run(script: string, args: string[], killAtStep?: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FR_BACKEND: 'cpu' } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', (d) => (stdout += String(d)));
    let timer: NodeJS.Timeout | undefined;
    if (killAtStep !== undefined) {
      timer = setInterval(() => {
        const steps = readSteps(args[0] as string);
        if (steps.some((s) => s.step >= killAtStep)) {
          clearInterval(timer); // once: a second SIGINT after the run stopped would kill it
          child.kill(signal);
        }
      }, 5);
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      if (code !== 0 && signal === null) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ code, signal, stdout });
    });
  });
}

describe('interrupted run', () => {
  test('kill -9 during training, then resume, reproduces the uninterrupted losses (cpu)', async () => {
    const script = await bundleScript(fileURLToPath(new URL('./fixtures/train-child.ts', import.meta.url)));
    const base = mkdtempSync(`${tmpdir()}/fr-kill-`);
    try {
      const steps = '60';
      await run(script, [`${base}/full`, steps, 'no']);
      const full = readSteps(`${base}/full`);
      expect(full.map((s) => s.step)).toEqual(Array.from({ length: 60 }, (_, i) => i));

      const killed = await run(script, [`${base}/cut`, steps, 'no'], 25);
      expect(killed.signal).toBe('SIGKILL');
      const beforeKill = readSteps(`${base}/cut`);
      expect(beforeKill.length).toBeGreaterThanOrEqual(26);
      expect(beforeKill.length).toBeLessThan(60);

      await run(script, [`${base}/cut`, steps, 'yes']);
      const all = readSteps(`${base}/cut`);
      const last = new Map<number, number>();
      for (const s of all) last.set(s.step, s.loss); // resumed steps overwrite the replayed ones
      const resumedFrom = all.findIndex((s, i) => i > 0 && s.step <= (all[i - 1] as StepLine).step);
      expect(resumedFrom).toBeGreaterThan(0); // the second process really started from a checkpoint
      // Every step, including those computed twice (after the last checkpoint, before the kill), matches.
      for (const s of all) expect(s.loss).toBe((full[s.step] as StepLine).loss);
      expect([...last.keys()].sort((a, b) => a - b)).toEqual(full.map((s) => s.step));
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test('SIGINT saves a checkpoint and stops; the run then resumes from it', async () => {
    const script = await bundleScript(fileURLToPath(new URL('./fixtures/train-child.ts', import.meta.url)));
    const base = mkdtempSync(`${tmpdir()}/fr-sigint-`);
    try {
      const stopped = await run(script, [`${base}/run`, '60', 'no'], 9, 'SIGINT');
      expect(stopped.code).toBe(0);
      const result = JSON.parse(stopped.stdout.trim().split('\n').pop() as string) as { reason: string; step: number; lastCheckpoint: string };
      expect(result.reason).toBe('interrupted');
      expect(result.step).toBeGreaterThanOrEqual(10);
      expect(result.step).toBeLessThan(60);
      const events = readFileSync(`${base}/run/log.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; reason?: string; step: number });
      expect(events.find((e) => e.type === 'checkpoint' && e.reason === 'interrupt')?.step).toBe(result.step);
      expect(existsSync(result.lastCheckpoint)).toBe(true);
      const resumed = await run(script, [`${base}/run`, '60', 'yes']);
      expect(JSON.parse(resumed.stdout.trim().split('\n').pop() as string)).toMatchObject({ reason: 'completed', step: 60 });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
