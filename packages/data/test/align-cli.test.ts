/**
 * `fr-data align` without the detector: landmarks come from a file (`--landmarks`), on synthetic
 * faces whose five dots are placed by a known similarity, so the aligned dots must sit on the
 * ArcFace template. Flags, report, resume, pairs sets, and the message when face-api is missing.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ARCFACE_TEMPLATE_112, arcfaceTemplate, decodeImage, encodeImage, formatLandmarksFile, readLandmarksFile, runCli, type AlignReport, type FaceLandmarks, type Point } from '@fr/data';
import { dotFace, findDots, placedLandmarks } from './face-fixtures.js';
import { WITHOUT_FACE_API, cleanupTemps, io, runCliProcess, tempDir, writeFile } from './helpers.js';

afterAll(cleanupTemps);

/**
 * An ImageFolder of dot faces: ann/0.png, ann/1.png (PNG, lossless), bob/0.jpg (JPEG),
 * bob/blank.png (listed with no face), bob/unlisted.png (not in the landmarks file).
 */
function fixture(): { root: string; landmarks: string; placed: Map<string, Point[]> } {
  const root = join(tempDir(), 'in');
  const placed = new Map<string, Point[]>([
    ['ann/0.png', placedLandmarks(1.3, 0.15, 12, 5)],
    ['ann/1.png', placedLandmarks(0.9, -0.2, 30, 25)],
    ['bob/0.jpg', placedLandmarks(1.1, 0.05, 10, 12)],
  ]);
  for (const [key, pts] of placed) writeFile(join(root, key), encodeImage(dotFace(160, 150, pts), key.endsWith('.jpg') ? 'jpeg' : 'png'));
  writeFile(join(root, 'bob/blank.png'), encodeImage(dotFace(100, 120, []), 'png'));
  writeFile(join(root, 'bob/unlisted.png'), encodeImage(dotFace(100, 120, []), 'png'));
  const images = new Map<string, FaceLandmarks | null>([...placed].map(([k, v]) => [k, { landmarks: v, score: 0.9 }]));
  images.set('bob/blank.png', null);
  const landmarks = writeFile(join(tempDir(), 'given.json'), formatLandmarksFile({ detector: 'hand-placed', images }));
  return { root, landmarks, placed };
}

const readReport = (out: string): AlignReport => JSON.parse(readFileSync(join(out, 'align-report.json'), 'utf8')) as AlignReport;
const dots = (path: string): Point[] => findDots(decodeImage(readFileSync(path)));

function expectNear(actual: readonly Point[], expected: readonly Point[], tolerance: number): void {
  actual.forEach((p, i) => {
    expect(Math.abs(p[0] - expected[i]![0])).toBeLessThan(tolerance);
    expect(Math.abs(p[1] - expected[i]![1])).toBeLessThan(tolerance);
  });
}

describe('fr-data align --landmarks', () => {
  test('aligned copies under the same paths: the dots land on the template; report and landmarks cache', async () => {
    const { root, landmarks } = fixture();
    const out = join(tempDir(), 'out');
    const c = io();
    expect(await runCli(['align', root, out, '--landmarks', landmarks], c)).toBe(0);
    for (const key of ['ann/0.png', 'ann/1.png']) {
      const img = decodeImage(readFileSync(join(out, key)));
      expect([img.width, img.height, img.info.format]).toEqual([112, 112, 'png']);
      expectNear(findDots(img), ARCFACE_TEMPLATE_112, 0.35);
    }
    const jpeg = decodeImage(readFileSync(join(out, 'bob/0.jpg')));
    expect(jpeg.info.format).toBe('jpeg');
    expectNear(findDots(jpeg), ARCFACE_TEMPLATE_112, 0.8);
    expect(existsSync(join(out, 'bob/blank.png'))).toBe(false);
    expect(existsSync(join(out, 'bob/unlisted.png'))).toBe(false);

    const report = readReport(out);
    expect(report).toMatchObject({ total: 5, aligned: 3, detectionRate: 0.6, resumed: 0, lowScore: [], multipleFaces: [], unalignedCopies: [], failed: [] });
    expect(report.settings).toEqual({ size: 112, minScore: 0.2, pick: 'largest', ifNoFace: 'skip' });
    expect(report.source).toBe(`landmarks file ${landmarks} (hand-placed)`);
    expect(report.noFace).toEqual([
      { file: 'bob/blank.png', reason: 'no face (landmarks file)' },
      { file: 'bob/unlisted.png', reason: 'not in the landmarks file' },
    ]);
    expect(report.run.processed).toBe(5);
    const cache = readLandmarksFile(join(out, 'landmarks.json'));
    expect([...cache.images.keys()].sort()).toEqual(['ann/0.png', 'ann/1.png', 'bob/0.jpg', 'bob/blank.png', 'bob/unlisted.png']);
    expect(cache.images.get('bob/unlisted.png')).toBeNull();
    expect(c.err()).toMatch(/^fr-data align: 3 of 5 images aligned \(60\.0%\) to .* in [\d.]+ s \(\d+ ms\/image\); 2 without a face; report .*align-report\.json\n$/);
    expect(c.err()).not.toContain('\r');

    // The cache re-aligns at another size without detection: dots on the 224 template.
    const out224 = join(tempDir(), 'out224');
    expect(await runCli(['align', root, out224, '--landmarks', join(out, 'landmarks.json'), '--size', '224'], io())).toBe(0);
    expectNear(dots(join(out224, 'ann/1.png')), arcfaceTemplate(224), 0.5);
  });

  test('resumable: a rerun skips finished images, redoes a missing one, refuses other settings', async () => {
    const { root, landmarks } = fixture();
    const out = join(tempDir(), 'out');
    expect(await runCli(['align', root, out, '--landmarks', landmarks], io())).toBe(0);
    const mtime = statSync(join(out, 'ann/0.png')).mtimeMs;
    const again = io();
    expect(await runCli(['align', root, out, '--landmarks', landmarks], again)).toBe(0);
    expect(readReport(out)).toMatchObject({ resumed: 5, aligned: 3, run: { processed: 0 } });
    expect(readReport(out).noFace).toHaveLength(2); // carried over from the first run
    expect(statSync(join(out, 'ann/0.png')).mtimeMs).toBe(mtime);
    expect(again.err()).toContain('5 done by an earlier run');

    rmSync(join(out, 'ann/1.png'));
    expect(await runCli(['align', root, out, '--landmarks', landmarks], io())).toBe(0);
    expect(readReport(out)).toMatchObject({ resumed: 4, aligned: 3, run: { processed: 1 } });
    expectNear(dots(join(out, 'ann/1.png')), ARCFACE_TEMPLATE_112, 0.35);

    const other = io();
    expect(await runCli(['align', root, out, '--landmarks', landmarks, '--size', '96'], other)).toBe(1);
    expect(other.err()).toContain(`${out} holds an alignment made with other settings (size 112 there, 96 now)`);
  });

  test('--if-no-face resize writes unaligned copies; a pairs file aligns the images it names and is copied', async () => {
    const { root, landmarks } = fixture();
    const out = join(tempDir(), 'resized');
    expect(await runCli(['align', root, out, '--landmarks', landmarks, '--if-no-face', 'resize'], io())).toBe(0);
    expect(readReport(out).unalignedCopies).toEqual(['bob/blank.png', 'bob/unlisted.png']);
    const copy = decodeImage(readFileSync(join(out, 'bob/blank.png')));
    expect([copy.width, copy.height]).toEqual([112, 112]);

    const pairs = writeFile(join(root, 'pairs.txt'), '1 1\nann 0.png 1.png\nann 1.png bob blank.png\n');
    const pairsOut = join(tempDir(), 'pairs-out');
    expect(await runCli(['align', pairs, pairsOut, '--landmarks', landmarks], io())).toBe(0);
    expect(readFileSync(join(pairsOut, 'pairs.txt'), 'utf8')).toBe(readFileSync(pairs, 'utf8'));
    const report = readReport(pairsOut);
    expect(report).toMatchObject({ total: 3, aligned: 2, unalignedCopies: ['bob/blank.png'], settings: { ifNoFace: 'resize' } });
    expect(existsSync(join(pairsOut, 'bob/0.jpg'))).toBe(false); // not named by the pairs
    expectNear(dots(join(pairsOut, 'ann/0.png')), ARCFACE_TEMPLATE_112, 0.35);
  });

  test('flags: --help, unknown flags and bad values are usage errors (exit 2); the output may not be inside the input', async () => {
    const help = io();
    expect(await runCli(['align', '--help'], help)).toBe(0);
    expect(help.out()).toContain('fr-data align <imagefolder | pairs.txt> <out>');
    expect(help.out()).toContain('--min-score S');
    const { root, landmarks } = fixture();
    const cases: [string[], string][] = [
      [['--frobnicate'], 'unknown option --frobnicate'],
      [['--landmarks', landmarks, '--detector', 'ssd'], '--landmarks replaces detection'],
      [['--detector', 'yolo'], '--detector must be tiny or ssd, got "yolo"'],
      [['--min-score', '1.5'], '--min-score must be a number in [0, 1], got "1.5"'],
      [['--pick', 'middle'], '--pick must be largest or central'],
      [['--if-no-face', 'drop'], '--if-no-face must be skip or resize'],
      [['--size', '0'], '--size must be an integer in [8, 4096]'],
    ];
    for (const [flags, message] of cases) {
      const c = io();
      expect(await runCli(['align', root, join(tempDir(), 'x'), ...flags], c)).toBe(2);
      expect(c.err()).toContain(`fr-data align: ${message}`);
    }
    const one = io();
    expect(await runCli(['align', root], one)).toBe(2);
    expect(one.err()).toContain('align needs <imagefolder | pairs.txt> <out>');
    const inside = io();
    expect(await runCli(['align', root, join(root, 'aligned'), '--landmarks', landmarks], inside)).toBe(1);
    expect(inside.err()).toContain('is inside the input folder');
  });

  test('a bad landmarks file fails naming the file and image', async () => {
    const { root } = fixture();
    const bad = writeFile(join(tempDir(), 'bad.json'), JSON.stringify({ format: 'fr-landmarks/1', images: { 'ann/0.png': [[1, 2]] } }));
    const c = io();
    expect(await runCli(['align', root, join(tempDir(), 'o'), '--landmarks', bad], c)).toBe(1);
    expect(c.err()).toBe(`fr-data align: ${bad}: images["ann/0.png"]: expected 5 points (ArcFace order) or 68 (iBUG), got 1\n`);
  });
});

describe('fr-data align without the detector package', () => {
  test('says what to install, exits 1 and writes nothing', () => {
    const { root } = fixture();
    const out = join(tempDir(), 'never');
    const r = runCliProcess(['align', root, out, '--backend', 'cpu'], ['--import', WITHOUT_FACE_API]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('face detection needs the optional package @vladmandic/face-api');
    expect(r.stderr).toContain('Install them with: npm install @vladmandic/face-api @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0');
    expect(r.stderr).toContain('or pass --landmarks FILE');
    expect(existsSync(out)).toBe(false);
  });
});
