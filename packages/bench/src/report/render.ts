/** Writes a complete verification report (JSON, HTML, SVG and PNG plots) to a directory. */
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@fr/core';
import { buildVerificationReport, type VerificationReport, type VerificationReportInput } from './build.js';
import { renderReportHtml } from './html.js';
import { renderFoldAccuracySvg, renderRocSvg, renderScoreHistogramSvg } from './plots.js';
import { findChromium, svgToPng } from './png.js';

/** Options of {@link renderVerificationReport}. */
export interface RenderReportOptions {
  /** Output directory (created when missing). */
  readonly outDir: string;
  /** File name stem (default: the dataset name, made file-safe). */
  readonly basename?: string;
  /**
   * PNG export: `'auto'` (default) renders PNGs when a Chromium is found and playwright-core
   * loads, and otherwise skips them with a reason; `true` requires them (throws when impossible);
   * `false` never renders them.
   */
  readonly png?: 'auto' | boolean;
  /** Chromium executable for PNG export (default: see {@link findChromium}). */
  readonly chromiumPath?: string;
}

/** Paths of the files written by {@link renderVerificationReport}. */
export interface RenderedReport {
  readonly report: VerificationReport;
  readonly files: {
    readonly json: string;
    readonly html: string;
    readonly svg: { readonly roc: string; readonly scores: string; readonly folds: string };
    readonly png: { readonly roc: string; readonly scores: string; readonly folds: string } | null;
  };
  /** Why PNGs were not written (only when `files.png` is null). */
  readonly pngSkipped?: string;
}

/**
 * Makes a string safe as a file name stem.
 *
 * @example
 * ```ts
 * fileStem('LFW / test'); // "LFW-test"
 * ```
 */
export function fileStem(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return s === '' ? 'verification' : s;
}

/**
 * Computes a verification report from plain embeddings (or distances) plus metadata and writes,
 * atomically, `<stem>.json`, `<stem>.html` (self-contained, inline SVG), `<stem>-roc.svg`,
 * `<stem>-scores.svg`, `<stem>-folds.svg` and the same plots as PNG.
 *
 * @example
 * ```ts
 * const { report, files } = await renderVerificationReport(
 *   { dataset: 'lfw', model: 'r50-arcface', embeddings, flipped, issame },
 *   { outDir: 'runs/eval' },
 * );
 * console.log(report.accuracy.mean, files.html);
 * ```
 */
export async function renderVerificationReport(
  input: VerificationReportInput,
  options: RenderReportOptions,
): Promise<RenderedReport> {
  const report = buildVerificationReport(input);
  const outDir = resolve(options.outDir);
  const stem = fileStem(options.basename ?? report.dataset);
  const plots = {
    roc: renderRocSvg(report),
    scores: renderScoreHistogramSvg(report),
    folds: renderFoldAccuracySvg(report),
  };
  const path = (suffix: string): string => join(outDir, `${stem}${suffix}`);
  const svg = { roc: path('-roc.svg'), scores: path('-scores.svg'), folds: path('-folds.svg') };
  const files = { json: path('.json'), html: path('.html'), svg };
  await writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(files.html, renderReportHtml(report, plots));
  const xmlHeader = '<?xml version="1.0" encoding="UTF-8"?>\n';
  await writeFileAtomic(svg.roc, xmlHeader + plots.roc);
  await writeFileAtomic(svg.scores, xmlHeader + plots.scores);
  await writeFileAtomic(svg.folds, xmlHeader + plots.folds);

  const mode = options.png ?? 'auto';
  if (mode === false) return { report, files: { ...files, png: null }, pngSkipped: 'PNG export disabled (png: false)' };
  const chromium = findChromium(options.chromiumPath);
  if (chromium === null) {
    const reason = 'no Chromium executable found (install the chromium package, or set FR_CHROMIUM_PATH or chromiumPath)';
    if (mode === true) throw new Error(`PNG export requested but ${reason}`);
    return { report, files: { ...files, png: null }, pngSkipped: reason };
  }
  let pngs: Uint8Array[];
  try {
    pngs = await svgToPng([plots.roc, plots.scores, plots.folds], { executablePath: chromium });
  } catch (err) {
    if (mode === true) throw err;
    return { report, files: { ...files, png: null }, pngSkipped: `PNG export failed: ${String(err)}` };
  }
  const png = { roc: path('-roc.png'), scores: path('-scores.png'), folds: path('-folds.png') };
  await writeFileAtomic(png.roc, pngs[0]!);
  await writeFileAtomic(png.scores, pngs[1]!);
  await writeFileAtomic(png.folds, pngs[2]!);
  return { report, files: { ...files, png } };
}
