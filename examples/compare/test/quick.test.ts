/**
 * `npm run compare -- --quick` end to end on the real data (skips, saying so, without it): four
 * arms covering a baseline, a detector under noise (scored against the injected flips), the ViT
 * family and the classifier-free triplet arm; two of them in child processes (`--jobs 2`). Checks
 * the table, the JSON, the plots and the page, and that a second run reuses the stored results.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { compare } from '../src/compare.js';
import type { RunResult } from '../src/run-job.js';

const dataDir = process.env.FR_DATA_DIR ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const present = ['celeba-crops', 'celeba-crops-pairs.txt', 'orl-faces', 'yaleb-cropped'].every((p) => existsSync(join(dataDir, p)));
const out = mkdtempSync(join(tmpdir(), 'fr-compare-quick-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) };
  const { code } = await compare([...argv, '--quick', '--out', out, '--data-dir', dataDir], io);
  return { code, lines };
}

if (!present) {
  test.skip(`npm run compare -- --quick: no celeba-crops, orl-faces and yaleb-cropped in ${dataDir} (set FR_DATA_DIR)`, () => {});
} else {
  describe('npm run compare -- --quick', () => {
    test('trains each arm, scores the detector against the injected flips, writes table, JSON, plots and page', async () => {
      const first = await run('--arms', 'boundaryface-n20,arcface-n20', '--jobs', '2');
      expect(first.code, first.lines.join('\n')).toBe(0);
      const second = await run('--arms', 'arcface-n20,boundaryface-n20,transface,triplet');
      expect(second.code, second.lines.join('\n')).toBe(0);
      // The two child-process results are reused, the other two trained in this process.
      expect(second.lines[0]).toMatch(/4 runs \(2 stored, 2 to train\)/);

      const json = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as {
        meta: { commit: string; budget: { name: string } };
        arms: { arm: { id: string }; sets: Record<string, { accuracy: { mean: number } }> }[];
        claims: { claim: { id: string }; verdict: string }[];
        runs: RunResult[];
      };
      expect(json.meta.budget.name).toBe('quick');
      expect(json.meta.commit).toMatch(/^[0-9a-f]{12}|unknown/);
      expect(json.arms.map((a) => a.arm.id)).toEqual(['triplet', 'transface', 'arcface-n20', 'boundaryface-n20']);
      for (const a of json.arms) {
        expect(Object.keys(a.sets)).toEqual(['celeba', 'orl', 'yaleb']);
        for (const s of Object.values(a.sets)) expect(s.accuracy.mean).toBeGreaterThan(0.2);
      }
      expect(json.claims).toEqual([expect.objectContaining({ claim: expect.objectContaining({ id: 'boundary-20' }), verdict: 'one seed' })]);

      // 3 steps × 8 images under 20% noise, correcting from the first step: the detector saw the
      // moved labels of its batches and every count is bounded by what it saw.
      const boundary = json.runs.find((r) => r.arm === 'boundaryface-n20')!;
      expect(boundary.images).toBe(24);
      const [epoch] = boundary.detector!;
      expect(epoch!.samples).toBe(24);
      expect(epoch!.truePositives).toBeLessThanOrEqual(Math.min(epoch!.corrections, epoch!.flippedSeen));
      expect(epoch!.flippedSeen).toBeGreaterThan(0);
      if (epoch!.corrections > 0) expect(epoch!.precision).toBeCloseTo(epoch!.truePositives / epoch!.corrections, 12);
      expect(json.runs.find((r) => r.arm === 'arcface-n20')!.detector).toBeNull();

      const md = readFileSync(join(out, 'comparison.md'), 'utf8');
      expect(md).toContain('| arm | label noise | CelebA held-out accuracy | ORL accuracy | Yale B accuracy |');
      for (const label of ['ArcFace, 20% noise', 'BoundaryFace, 20% noise', 'TransFace (ViT + EHSM + DPAP)', 'Triplet (semi-hard, 8×4 batches)']) expect(md).toContain(`| ${label} |`);
      expect(md).toMatch(/\| BoundaryFace, 20% noise \| 1 \| \d+ \| \d+ \|/);

      for (const plot of ['accuracy-per-arm', 'accuracy-vs-noise', 'detector']) {
        const svg = readFileSync(join(out, `${plot}.svg`), 'utf8');
        expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        expect(svg).not.toContain('no data');
      }
      expect(readFileSync(join(out, 'accuracy-per-arm.svg'), 'utf8').match(/<rect class="bar"/g)).toHaveLength(12);
      expect(readFileSync(join(out, 'accuracy-vs-noise.svg'), 'utf8')).toContain('data-label="BoundaryFace"');

      const html = readFileSync(join(out, 'index.html'), 'utf8');
      expect(html).toContain('<table class="claims">');
      expect(html).toContain('QUICK RUN');
      expect(html.match(/<figure id="[a-z-]+"><svg/g)).toHaveLength(3);
      const links = [...html.matchAll(/<a href="([^"]+)">seed 1<\/a>/g)].map((m) => m[1]!);
      expect(links).toHaveLength(4);
      for (const link of links) expect(existsSync(join(out, link)), link).toBe(true);
    });

    test('missing data and an unknown arm are named before any work', async () => {
      const lines: string[] = [];
      const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
      expect((await compare(['--quick', '--out', out, '--data-dir', join(out, 'nowhere')], io)).code).toBe(2);
      expect(lines.join('\n')).toMatch(/CelebA held-out pairs: .*nowhere\/celeba-crops-pairs.txt not found \(set FR_DATA_DIR or --data-dir/);
      expect((await compare(['--quick', '--arms', 'arcfase', '--out', out, '--data-dir', dataDir], io)).code).toBe(2);
      expect(lines.join('\n')).toMatch(/unknown arm "arcfase"; arms: arcface, /);
    });
  });
}
