/** The report's plots as standalone SVG documents. */
import type { VerificationReport } from './build.js';
import { axes, coord, escapeXml, frame, legend, polyline, svgDocument, type Tick } from './svg.js';

/** Colours shared by the plots and the HTML page. */
export const COLORS = Object.freeze({
  curve: '#1c7ed6',
  genuine: '#2b8a3e',
  impostor: '#c92a2a',
  threshold: '#222222',
  chance: '#999999',
  band: '#ffd43b',
});

/** Size of a plot in pixels. */
export interface PlotSize {
  readonly width?: number;
  readonly height?: number;
}

function superscript(n: number): string {
  const map: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
  return String(n)
    .split('')
    .map((c) => map[c] ?? c)
    .join('');
}

function unavailable(title: string, id: string, reason: string, size: PlotSize): string {
  const f = frame(size.width ?? 560, size.height ?? 420);
  return svgDocument(
    f,
    title,
    [
      `<text x="${coord(f.width / 2)}" y="${coord(f.height / 2)}" text-anchor="middle" fill="#666">${escapeXml(`not available: ${reason}`)}</text>`,
    ],
    id,
  );
}

/**
 * ROC curve with a log-scale FAR axis (from the smallest FAR the impostor count can resolve, a
 * power of ten, to 1) and a linear TAR axis; marks the EER and the available TAR@FAR points.
 *
 * @example
 * ```ts
 * writeFileSync('roc.svg', renderRocSvg(buildVerificationReport(input)));
 * ```
 */
export function renderRocSvg(report: VerificationReport, size: PlotSize = {}): string {
  const title = `ROC — ${report.dataset} — ${report.model}`;
  if (!report.roc.available) return unavailable(title, 'roc-plot', report.roc.reason, size);
  const roc = report.roc;
  const f = frame(size.width ?? 560, size.height ?? 420);
  const minExp = Math.min(-1, Math.floor(Math.log10(1 / report.impostorCount)));
  const xmin = 10 ** minExp;
  const x = (far: number): number => f.left + ((Math.log10(Math.max(far, xmin)) - minExp) / -minExp) * (f.right - f.left);
  const y = (tar: number): number => f.bottom - tar * (f.bottom - f.top);
  const xTicks: Tick[] = [];
  for (let e = minExp; e <= 0; e++) xTicks.push({ value: 10 ** e, label: e === 0 ? '1' : `10${superscript(e)}` });
  const yTicks: Tick[] = [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => ({ value: v, label: v.toFixed(1) }));
  const body = axes(f, xTicks, yTicks, x, y, 'False accept rate (FAR, log scale)', 'True accept rate (TAR)');

  const chance: [number, number][] = [];
  for (let i = 0; i <= 60; i++) {
    const far = 10 ** (minExp - (minExp * i) / 60);
    chance.push([x(far), y(far)]);
  }
  body.push(`<path class="chance" d="${polyline(chance)}" fill="none" stroke="${COLORS.chance}" stroke-width="1" stroke-dasharray="4 4"/>`);
  const pts: [number, number][] = roc.curve.fpr.map((far, i) => [x(far), y(roc.curve.tpr[i]!)]);
  body.push(`<path class="roc-curve" d="${polyline(pts)}" fill="none" stroke="${COLORS.curve}" stroke-width="2"/>`);

  const ex = x(roc.eer);
  const ey = y(1 - roc.eer);
  body.push(`<circle class="eer" cx="${coord(ex)}" cy="${coord(ey)}" r="4" fill="#fff" stroke="${COLORS.impostor}" stroke-width="2"/>`);
  body.push(`<text x="${coord(ex + 7)}" y="${coord(ey + 14)}" fill="${COLORS.impostor}">EER ${(100 * roc.eer).toFixed(2)}%</text>`);
  const reached = roc.tarAtFar.filter((t) => t.available);
  for (const t of reached) {
    // The operating point actually reached (on the curve); values are listed in the box below.
    body.push(`<circle class="tar-at-far" cx="${coord(x(t.achievedFar))}" cy="${coord(y(t.tar))}" r="3.5" fill="${COLORS.curve}"/>`);
  }
  const lines = [
    ...reached.map((t) => `TAR @ FAR ${t.far.toExponential(0)}: ${(100 * t.tar).toFixed(2)}%`),
    ...roc.tarAtFar.filter((t) => !t.available).map((t) => `TAR @ FAR ${t.far.toExponential(0)}: n/a`),
  ];
  const boxTop = f.bottom - 72 - lines.length * 15 - 10;
  body.push(
    `<rect x="${f.right - 196}" y="${coord(boxTop)}" width="188" height="${lines.length * 15 + 8}" fill="#ffffff" fill-opacity="0.9" stroke="#ccc"/>`,
  );
  lines.forEach((line, i) => {
    body.push(`<text x="${f.right - 190}" y="${coord(boxTop + 14 + i * 15)}" fill="#333" font-size="11">${escapeXml(line)}</text>`);
  });
  body.push(
    ...legend(f.right - 190, f.bottom - 64, [
      { label: `ROC (AUC ${roc.auc.toFixed(4)})`, color: COLORS.curve },
      { label: 'chance', color: COLORS.chance, dashed: true },
    ]),
  );
  return svgDocument(f, title, body, 'roc-plot');
}

/**
 * Histograms of the squared L2 distance of genuine and impostor pairs (each normalised to its
 * class size), with the chosen threshold (mean of the fold thresholds) and the range of the fold
 * thresholds marked.
 *
 * @example
 * ```ts
 * writeFileSync('scores.svg', renderScoreHistogramSvg(buildVerificationReport(input)));
 * ```
 */
export function renderScoreHistogramSvg(report: VerificationReport, size: PlotSize = {}): string {
  const title = `Pair distances — ${report.dataset} — ${report.model}`;
  const f = frame(size.width ?? 560, size.height ?? 420);
  const { edges, genuine, impostor } = report.histogram;
  const lo = edges[0]!;
  const hi = edges[edges.length - 1]!;
  const frac = (counts: readonly number[], total: number): number[] => counts.map((c) => (total > 0 ? c / total : 0));
  const g = frac(genuine, report.genuineCount);
  const im = frac(impostor, report.impostorCount);
  const yMax = Math.max(1e-9, ...g, ...im) * 1.1;
  const x = (d: number): number => f.left + ((d - lo) / (hi - lo)) * (f.right - f.left);
  const y = (v: number): number => f.bottom - (v / yMax) * (f.bottom - f.top);
  const xTicks: Tick[] = [];
  const step = hi - lo > 8 ? Math.ceil((hi - lo) / 8) : 0.5;
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) xTicks.push({ value: v, label: String(Math.round(v * 100) / 100) });
  const yStep = yMax > 0.5 ? 0.1 : yMax > 0.2 ? 0.05 : yMax > 0.05 ? 0.02 : yMax / 4;
  const yTicks: Tick[] = [];
  for (let v = 0; v <= yMax + 1e-12; v += yStep) yTicks.push({ value: v, label: `${(100 * v).toFixed(yStep < 0.01 ? 2 : 0)}%` });
  const body = axes(f, xTicks, yTicks, x, y, 'Squared L2 distance of normalised embeddings (2 − 2·cos)', 'Share of pairs per bin');

  const t = report.threshold;
  body.push(
    `<rect class="fold-threshold-range" x="${coord(x(t.foldMin))}" y="${f.top}" width="${coord(Math.max(1, x(t.foldMax) - x(t.foldMin)))}" height="${f.bottom - f.top}" fill="${COLORS.band}" fill-opacity="0.35"/>`,
  );
  const step2 = (values: number[]): [number, number][] => {
    const pts: [number, number][] = [[x(lo), y(0)]];
    values.forEach((v, i) => {
      pts.push([x(edges[i]!), y(v)], [x(edges[i + 1]!), y(v)]);
    });
    pts.push([x(hi), y(0)]);
    return pts;
  };
  for (const [name, values, color] of [
    ['impostor', im, COLORS.impostor],
    ['genuine', g, COLORS.genuine],
  ] as const) {
    const d = polyline(step2(values));
    body.push(`<path class="hist-${name}" d="${d} Z" fill="${color}" fill-opacity="0.25" stroke="${color}" stroke-width="1.5"/>`);
  }
  const tx = x(t.squaredL2);
  body.push(
    `<path class="threshold" d="M${coord(tx)} ${f.top} L${coord(tx)} ${f.bottom}" stroke="${COLORS.threshold}" stroke-width="2" stroke-dasharray="6 4"/>`,
  );
  const labelLeft = tx > (f.left + f.right) / 2;
  body.push(
    `<text x="${coord(labelLeft ? tx - 6 : tx + 6)}" y="${f.top + 16}" text-anchor="${labelLeft ? 'end' : 'start'}" fill="${COLORS.threshold}">threshold ${t.squaredL2.toFixed(3)} (cos ${t.cosine.toFixed(3)})</text>`,
  );
  body.push(
    ...legend(labelLeft ? f.left + 8 : f.right - 208, f.top + 28, [
      { label: `genuine (${report.genuineCount})`, color: COLORS.genuine },
      { label: `impostor (${report.impostorCount})`, color: COLORS.impostor },
      { label: 'mean fold threshold', color: COLORS.threshold, dashed: true },
      { label: 'fold threshold range', color: COLORS.band },
    ]),
  );
  return svgDocument(f, title, body, 'score-plot');
}

/**
 * Bar chart of the held-out accuracy of each fold, with the mean marked.
 *
 * @example
 * ```ts
 * writeFileSync('folds.svg', renderFoldAccuracySvg(report));
 * ```
 */
export function renderFoldAccuracySvg(report: VerificationReport, size: PlotSize = {}): string {
  const title = `Per-fold accuracy — ${report.dataset} — ${report.model}`;
  const f = frame(size.width ?? 560, size.height ?? 300);
  const accs = report.folds.map((r) => r.accuracy);
  const minAcc = Math.min(...accs);
  const yLo = Math.max(0, Math.floor((minAcc - 0.02) * 20) / 20);
  const y = (v: number): number => f.bottom - ((v - yLo) / (1 - yLo)) * (f.bottom - f.top);
  const n = accs.length;
  const slot = (f.right - f.left) / n;
  const x = (i: number): number => f.left + (i + 0.5) * slot;
  const xTicks: Tick[] = accs.map((_, i) => ({ value: i, label: String(i + 1) }));
  const yTicks: Tick[] = [];
  const ys = (1 - yLo) / 5;
  for (let i = 0; i <= 5; i++) yTicks.push({ value: yLo + i * ys, label: `${(100 * (yLo + i * ys)).toFixed(1)}%` });
  const body = axes(f, xTicks, yTicks, x, y, 'Fold', 'Held-out accuracy');
  accs.forEach((a, i) => {
    const bx = x(i) - slot * 0.35;
    body.push(
      `<path class="fold-bar" d="M${coord(bx)} ${coord(f.bottom)} L${coord(bx)} ${coord(y(a))} L${coord(bx + slot * 0.7)} ${coord(y(a))} L${coord(bx + slot * 0.7)} ${coord(f.bottom)} Z" fill="${COLORS.curve}" fill-opacity="0.7"/>`,
    );
  });
  const my = y(report.accuracy.mean);
  body.push(`<path class="mean" d="M${f.left} ${coord(my)} L${f.right} ${coord(my)}" stroke="${COLORS.impostor}" stroke-width="2" stroke-dasharray="6 4"/>`);
  body.push(`<text x="${f.right - 4}" y="${coord(my - 6)}" text-anchor="end" fill="${COLORS.impostor}">mean ${(100 * report.accuracy.mean).toFixed(2)}%</text>`);
  return svgDocument(f, title, body, 'fold-plot');
}
