/** The self-contained HTML verification report (inline CSS and SVG, no external resources). */
import type { VerificationReport } from './build.js';
import { renderFoldAccuracySvg, renderRocSvg, renderScoreHistogramSvg } from './plots.js';
import { escapeXml } from './svg.js';

/** The plots embedded in the HTML page (defaults: rendered from the report). */
export interface ReportPlots {
  readonly roc: string;
  readonly scores: string;
  readonly folds: string;
}

/** `0.92` → `"92.00%"`. */
export function percent(x: number, digits = 2): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/**
 * The headline accuracy string shown in the HTML report.
 *
 * @example
 * ```ts
 * formatAccuracy(report); // "92.00% ± 2.77%"
 * ```
 */
export function formatAccuracy(report: VerificationReport): string {
  return `${percent(report.accuracy.mean)} ± ${percent(report.accuracy.std)}`;
}

function row(cells: readonly string[], header = false): string {
  const tag = header ? 'th' : 'td';
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

function num(x: number | null, digits = 4): string {
  return x === null ? '—' : x.toFixed(digits);
}

/** A metadata value as shown: numbers to 6 significant digits (no `0.5396666666666666`). */
function shown(v: string | number | boolean): string {
  return typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v);
}

/** The shared look of the report pages (self-contained: inline CSS, no external resource). */
const PAGE_CSS = `body { font-family: Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1180px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
.headline { font-size: 34px; font-weight: bold; color: #1c7ed6; margin: 8px 0 20px; }
table { border-collapse: collapse; margin: 8px 0 24px; font-size: 14px; }
th, td { border: 1px solid #ddd; padding: 5px 10px; text-align: left; }
th { background: #f3f5f7; }
td.num, .folds td { font-variant-numeric: tabular-nums; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; }
.plots figure { margin: 0; border: 1px solid #ddd; }
.na { color: #999; }
.note { color: #666; font-size: 13px; }
.warning { background: #fff4e5; border-left: 4px solid #f08c00; padding: 8px 12px; max-width: 900px; }
pre { background: #f6f8fa; border: 1px solid #ddd; padding: 10px; font-size: 12px; overflow-x: auto; }`;

/**
 * A complete, self-contained HTML page in the reports' style around `body` (HTML; `title` is
 * escaped). Shared by the verification report and other report pages (e.g. fr-train's).
 * @example
 * ```ts
 * writeFileSync('page.html', htmlPage('My report', '<h1>Results</h1>'));
 * ```
 */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
${PAGE_CSS}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/**
 * Renders the report as one self-contained HTML page: headline accuracy, summary, TAR@FAR table,
 * ROC, distance histograms, per-fold table and plot, and the JSON report embedded as
 * `<script type="application/json" id="report-data">`.
 *
 * @example
 * ```ts
 * writeFileSync('lfw.html', renderReportHtml(buildVerificationReport(input)));
 * ```
 */
export function renderReportHtml(report: VerificationReport, plots?: ReportPlots): string {
  const p = plots ?? {
    roc: renderRocSvg(report),
    scores: renderScoreHistogramSvg(report),
    folds: renderFoldAccuracySvg(report),
  };
  const e = escapeXml;
  const summary: [string, string][] = [
    ['Dataset', e(report.dataset)],
    ['Model', e(report.model)],
    ['Pairs', `${report.pairCount} (${report.genuineCount} genuine, ${report.impostorCount} impostor)`],
    [`Accuracy (${report.protocol.folds}-fold mean ± std)`, `<span id="accuracy">${e(formatAccuracy(report))}</span>`],
    ['Accuracy (fraction)', `${report.accuracy.mean.toFixed(5)} ± ${report.accuracy.std.toFixed(5)}`],
    ['XNorm', num(report.xnorm)],
    ['Embedding', `${e(report.protocol.embedding)}${report.embeddingDim === null ? '' : `, d = ${report.embeddingDim}`}`],
    [
      'Mean fold threshold',
      `${report.threshold.squaredL2.toFixed(4)} squared L2 (cos ${report.threshold.cosine.toFixed(4)}); fold range ${report.threshold.foldMin.toFixed(2)}–${report.threshold.foldMax.toFixed(2)}; accuracy on all pairs ${percent(report.threshold.accuracyAllPairs)}`,
    ],
  ];
  if (report.roc.available) {
    summary.push(['AUC', report.roc.auc.toFixed(5)]);
    summary.push([
      'EER',
      `${percent(report.roc.eer)} at squared L2 ${report.roc.eerThreshold.squaredL2.toFixed(4)} (cos ${report.roc.eerThreshold.cosine.toFixed(4)})`,
    ]);
  } else {
    summary.push(['ROC', `not available: ${e(report.roc.reason)}`]);
  }
  for (const [k, v] of Object.entries(report.metadata)) summary.push([e(k), e(shown(v))]);
  summary.push(['Timestamp', e(report.timestamp)]);

  const tarRows = report.roc.available
    ? report.roc.tarAtFar.map((t) =>
        t.available
          ? row([
              t.far.toExponential(0),
              percent(t.tar),
              t.achievedFar.toExponential(2),
              t.threshold === null ? 'accept none' : `${t.threshold.squaredL2.toFixed(4)} / ${t.threshold.cosine.toFixed(4)}`,
            ])
          : row([t.far.toExponential(0), `<span class="na">n/a</span>`, '—', e(t.reason)]),
      )
    : [];
  const foldRows = report.folds.map((f) =>
    row([
      String(f.fold + 1),
      `${f.start}–${f.end - 1}`,
      String(f.size),
      f.threshold.toFixed(2),
      percent(f.trainAccuracy),
      percent(f.accuracy),
      `${f.truePositives} / ${f.trueNegatives} / ${f.falsePositives} / ${f.falseNegatives}`,
    ]),
  );
  const json = JSON.stringify(report).replace(/</g, '\\u003c');
  return htmlPage(`Verification report — ${report.dataset} — ${report.model}`, `<h1>Face verification — ${e(report.dataset)} — ${e(report.model)}</h1>
<div class="headline" id="headline">Accuracy ${e(formatAccuracy(report))}</div>
${report.warnings.map((w) => `<p class="warning">Warning: ${e(w)}</p>`).join('\n')}
<table class="summary">
${summary.map(([k, v]) => row([k, v])).join('\n')}
</table>
<h2>TAR @ FAR</h2>
${
  report.roc.available
    ? `<table class="tar">\n${row(['FAR target', 'TAR', 'achieved FAR', 'threshold (squared L2 ≤ / cos ≥)'], true)}\n${tarRows.join('\n')}\n</table>`
    : `<p class="na">not available: ${e(report.roc.reason)}</p>`
}
<h2>Plots</h2>
<div class="plots">
<figure>${p.roc}</figure>
<figure>${p.scores}</figure>
<figure>${p.folds}</figure>
</div>
<h2>Folds</h2>
<table class="folds">
${row(['Fold', 'Pairs', 'Size', 'Threshold', 'Train accuracy', 'Test accuracy', 'TP / TN / FP / FN'], true)}
${foldRows.join('\n')}
</table>
<p class="note">Protocol: insightface .bin verification — ${e(report.protocol.embedding)}; ${report.protocol.thresholdCount} thresholds ${report.protocol.thresholdMin}…${report.protocol.thresholdMax}; ${report.protocol.folds} contiguous folds; ${e(report.protocol.rule)}. Accuracy std is the population std over folds.</p>
<script type="application/json" id="report-data">${json}</script>`);
}
