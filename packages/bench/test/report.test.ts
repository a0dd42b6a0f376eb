import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildVerificationReport,
  evaluateVerification,
  fileStem,
  formatAccuracy,
  renderFoldAccuracySvg,
  renderReportHtml,
  renderRocSvg,
  renderScoreHistogramSvg,
  renderVerificationReport,
  type VerificationReport,
} from '@fr/bench';
import { syntheticPairs } from './helpers.js';

const data = syntheticPairs(600, 16, 42);
const input = {
  dataset: 'synthetic-600',
  model: 'toy <model> & "quotes"',
  ...data,
  timestamp: new Date('2025-01-02T03:04:05Z'),
  metadata: { backend: 'cpu', epoch: 3 },
};

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('buildVerificationReport', () => {
  const report = buildVerificationReport(input);
  it('carries the protocol metrics and metadata', () => {
    const r = evaluateVerification(data.embeddings, data.issame, { flipped: data.flipped });
    expect(report.accuracy).toEqual({ mean: r.accuracyMean, std: r.accuracyStd });
    expect(report.xnorm).toBe(r.xnorm);
    expect(report.folds.map((f) => f.threshold)).toEqual(r.foldBestThreshold);
    expect(report).toMatchObject({
      schema: 'fr-bench/verification-report@1',
      dataset: 'synthetic-600',
      timestamp: '2025-01-02T03:04:05.000Z',
      pairCount: 600,
      embeddingDim: 16,
      usedFlip: true,
      metadata: { backend: 'cpu', epoch: 3 },
      protocol: { name: 'insightface-bin', folds: 10, thresholdCount: 400, thresholdMin: 0, embedding: 'normalize(orig + flip)' },
    });
    expect(report.genuineCount + report.impostorCount).toBe(600);
  });
  it('has ROC metrics, TAR@FAR availability and histograms', () => {
    if (!report.roc.available) throw new Error('expected a ROC');
    expect(report.roc.auc).toBeGreaterThan(0.9);
    expect(report.roc.eer).toBeGreaterThan(0);
    expect(report.roc.eer).toBeLessThan(0.2);
    expect(report.roc.eerThreshold.cosine).toBeCloseTo(1 - report.roc.eerThreshold.squaredL2 / 2, 12);
    const avail = report.roc.tarAtFar.map((t) => [t.far, t.available]);
    // ~300 impostors: only FAR 1e-1 and 1e-2 can be reported.
    expect(avail).toEqual([
      [0.1, true],
      [0.01, true],
      [0.001, false],
      [0.0001, false],
    ]);
    expect(report.roc.curve.fpr[0]).toBe(0);
    expect(report.roc.curve.tpr.at(-1)).toBe(1);
    const h = report.histogram;
    expect(h.edges).toHaveLength(81);
    expect(h.genuine.reduce((a, b) => a + b, 0)).toBe(report.genuineCount);
    expect(h.impostor.reduce((a, b) => a + b, 0)).toBe(report.impostorCount);
    expect(report.threshold.foldMin).toBeLessThanOrEqual(report.threshold.squaredL2);
    expect(report.threshold.foldMax).toBeGreaterThanOrEqual(report.threshold.squaredL2);
  });
  it('is JSON-serialisable without losing numbers', () => {
    const back = JSON.parse(JSON.stringify(report)) as VerificationReport;
    expect(back).toEqual(report);
  });
  it('can be built from distances or from a result, but needs exactly one source', () => {
    const r = evaluateVerification(data.embeddings, data.issame, { flipped: data.flipped });
    const fromDist = buildVerificationReport({ dataset: 'd', model: 'm', distances: r.distances, issame: data.issame });
    expect(fromDist.accuracy.mean).toBe(r.accuracyMean);
    expect(fromDist.xnorm).toBeNull();
    expect(fromDist.protocol.embedding).toBe('given distances');
    const fromResult = buildVerificationReport({ dataset: 'd', model: 'm', result: r, issame: data.issame });
    expect(fromResult.accuracy.std).toBe(r.accuracyStd);
    expect(() => buildVerificationReport({ dataset: 'd', model: 'm', issame: data.issame })).toThrow(/exactly one of/);
    expect(() => buildVerificationReport({ ...input, dataset: '' })).toThrow(/dataset name/);
  });
  it('marks the ROC as unavailable when every pair is genuine', () => {
    const allSame = buildVerificationReport({ dataset: 'd', model: 'm', distances: new Array(20).fill(0.5), issame: new Array(20).fill(true) });
    expect(allSame.roc).toEqual({ available: false, reason: 'no impostor pairs: FAR is undefined' });
    expect(renderRocSvg(allSame)).toContain('not available: no impostor pairs');
    expect(renderReportHtml(allSame)).toContain('not available: no impostor pairs');
    expect(renderScoreHistogramSvg(allSame)).toContain('class="hist-genuine"');
  });

  it('warns when all or most distances lie in one step of the threshold grid (accuracy is capped by the grid, AUC is not)', () => {
    // Nearly identical embeddings (an untrained network): all distances below 0.01, yet ordered by label.
    const issame = Array.from({ length: 200 }, (_, i) => i % 2 === 0);
    const distances = issame.map((same, i) => (same ? 0.001 : 0.004) + i * 1e-6);
    const flat = buildVerificationReport({ dataset: 'd', model: 'm', distances, issame });
    expect(flat.roc.available && flat.roc.auc).toBe(1);
    expect(flat.accuracy.mean).toBe(0.5); // every threshold of 0:0.01:4 says "same" (or, at 0, "different") for all
    expect(flat.warnings).toHaveLength(1);
    expect(flat.warnings[0]).toMatch(/^all 200 pair distances \(squared L2 0\.00100 to 0\.00420\) lie below 0\.01, the first step of the threshold grid: .*accuracy says nothing about the embeddings; AUC \(1\.0000\) still ranks them/);
    const html = renderReportHtml(flat);
    expect(html).toContain(`<p class="warning">Warning: all 200 pair distances`);
    expect(buildVerificationReport(input).warnings).toEqual([]); // spread distances: no warning

    // Nearly collapsed: 180 of the 200 distances in the first step, the other 20 spread above it.
    // The 20 outliers can be right at best; inside the step only its 90 genuine pairs can be: 110/200.
    const most = distances.map((d, i) => (i < 20 ? 0.5 + i * 0.05 : d));
    const capped = buildVerificationReport({ dataset: 'd', model: 'm', distances: most, issame });
    expect(capped.warnings).toEqual([expect.stringMatching(/^180 of 200 pair distances \(90\.0%, squared L2 0\.00102 to 0\.00420\) lie below 0\.01, the first step of the threshold grid: .*cannot exceed 55\.0% whatever the embeddings; AUC \(0\.\d+\) still ranks them/)]);
    expect(capped.accuracy.mean).toBeLessThanOrEqual(0.55);
    // Half the pairs spread out of the step: the grid resolves enough of them, no warning.
    const half = distances.map((d, i) => (i < 101 ? 0.5 + i * 0.01 : d));
    expect(buildVerificationReport({ dataset: 'd', model: 'm', distances: half, issame }).warnings).toEqual([]);
    expect(renderReportHtml(buildVerificationReport(input))).not.toContain('class="warning"');
  });
});

describe('SVG and HTML rendering', () => {
  const report = buildVerificationReport(input);
  it('plots are standalone SVG with drawn paths', () => {
    for (const svg of [renderRocSvg(report), renderScoreHistogramSvg(report), renderFoldAccuracySvg(report)]) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trim().endsWith('</svg>')).toBe(true);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
      expect(svg).toMatch(/<path [^>]*d="M[-\d.]+ [-\d.]+ L/);
    }
    expect(renderRocSvg(report)).toContain('class="roc-curve"');
    expect(renderRocSvg(report)).toContain('10⁻³'); // log FAR axis down to 1/#impostors
    expect(renderScoreHistogramSvg(report)).toContain('class="threshold"');
  });
  it('HTML shows the accuracy, escapes names and embeds the JSON', () => {
    const html = renderReportHtml(report);
    expect(html).toContain(formatAccuracy(report));
    expect(formatAccuracy(report)).toMatch(/^\d+\.\d\d% ± \d+\.\d\d%$/);
    expect(html).toContain('toy &lt;model&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('toy <model>');
    expect(html.match(/<svg /g)).toHaveLength(3);
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect((JSON.parse(json) as VerificationReport).accuracy).toEqual(report.accuracy);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // self-contained
    // Numbers shown are rounded (the full precision is in the embedded JSON).
    const shown = html.replace(/<script type="application\/json".*?<\/script>/s, '').replace(/<svg.*?<\/svg>/gs, '');
    expect(shown).not.toMatch(/\d\.\d{7,}/);
    expect(shown).toContain(`${report.accuracy.mean.toFixed(5)} ± ${report.accuracy.std.toFixed(5)}`);
  });
});

describe('renderVerificationReport (files)', () => {
  it('writes JSON, HTML and SVGs atomically; PNG can be disabled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-bench-report-'));
    dirs.push(dir);
    const out = await renderVerificationReport(input, { outDir: join(dir, 'nested'), png: false });
    expect(out.files.png).toBeNull();
    expect(out.pngSkipped).toMatch(/disabled/);
    const names = (await readdir(join(dir, 'nested'))).sort();
    expect(names).toEqual([
      'synthetic-600-folds.svg',
      'synthetic-600-roc.svg',
      'synthetic-600-scores.svg',
      'synthetic-600.html',
      'synthetic-600.json',
    ]);
    const json = JSON.parse(await readFile(out.files.json, 'utf8')) as VerificationReport;
    expect(json.accuracy).toEqual(out.report.accuracy);
    expect(await readFile(out.files.svg.roc, 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
  });
  it('fileStem makes names file-safe', () => {
    expect(fileStem('LFW / test')).toBe('LFW-test');
    expect(fileStem('../../etc')).toBe('etc');
    expect(fileStem('???')).toBe('verification');
  });
});
