/** Line charts of the scaling suite (cost against batch, input size, classes), as standalone SVG. */
import { axes, coord, escapeXml, frame, legend, polyline, svgDocument, type Tick } from '../report/svg.js';
import { fmt } from './stats.js';
import type { LineChart } from './types.js';

/** The series colours of the bar charts, so ours and torch look the same everywhere. */
const PALETTE = ['#1c7ed6', '#e8590c', '#2b8a3e', '#7048e8', '#c92a2a', '#0c8599', '#e67700', '#5c5f66'];

function linearTicks(lo: number, hi: number): Tick[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: Tick[] = [];
  // Up to the first tick at or above `hi`, so the axis covers every point.
  for (let v = Math.floor(lo / step) * step; ; v += step) {
    out.push({ value: v, label: String(Number(v.toPrecision(6))) });
    if (v >= hi - step * 1e-9) break;
  }
  return out;
}

/** Ticks at the data's own x values (batch sizes, class counts): few and meaningful. */
function dataTicks(xs: readonly number[]): Tick[] {
  return [...new Set(xs)].sort((a, b) => a - b).map((v) => ({ value: v, label: v >= 1e6 ? `${v / 1e6}M` : v >= 1e4 ? `${v / 1e3}k` : String(v) }));
}

/**
 * One polyline per series with a dot and its value at each point; x on a log scale when `logX`
 * (batch 8→128, classes 10k→1M), y from 0. Points with a non-finite y (a failed run) are left out.
 *
 * @example
 * ```ts
 * const svg = renderLineChart({ kind: 'line', title: 'img/s vs batch', xLabel: 'batch', yLabel: 'img/s', logX: true, series });
 * ```
 */
export function renderLineChart(chart: LineChart, id = 'line-chart'): string {
  const f = frame(760, 420);
  const points = chart.series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y)));
  const xs = points.map((p) => p.x);
  const tx = (v: number): number => (chart.logX ? Math.log(v) : v);
  const xLo = Math.min(...xs.map(tx));
  const xHi = Math.max(...xs.map(tx));
  const pad = (xHi - xLo || 1) * 0.06;
  const x = (v: number): number => f.left + ((tx(v) - (xLo - pad)) / (xHi - xLo + 2 * pad)) * (f.right - f.left);
  const yt = linearTicks(0, Math.max(0, ...points.map((p) => p.y)) * 1.08 || 1);
  const yMax = yt[yt.length - 1]!.value || 1;
  const y = (v: number): number => f.bottom - (v / yMax) * (f.bottom - f.top);
  const body = axes(f, dataTicks(xs), yt, x, y, chart.xLabel, chart.yLabel);
  chart.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const ok = s.points.filter((p) => Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    body.push(`<path d="${polyline(ok.map((p) => [x(p.x), y(p.y)]))}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const p of ok) {
      body.push(`<circle cx="${coord(x(p.x))}" cy="${coord(y(p.y))}" r="3.5" fill="${color}"><title>${escapeXml(`${s.name}: ${fmt(p.y)} at ${p.x}`)}</title></circle>`);
      body.push(`<text x="${coord(x(p.x) + 5)}" y="${coord(y(p.y) - 6)}" fill="${color}" font-size="10">${escapeXml(fmt(p.y))}</text>`);
    }
  });
  body.push(...legend(f.left + 8, f.top + 6, chart.series.map((s, i) => ({ label: s.name, color: PALETTE[i % PALETTE.length]!, dashed: s.dashed }))));
  return svgDocument(f, chart.title, body, id);
}
