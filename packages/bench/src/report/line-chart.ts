/** Line charts (training curves) as standalone SVG documents in the style of the report plots. */
import type { PlotSize } from './plots.js';
import { axes, coord, escapeXml, frame, legend, niceTicks, polyline, SERIES_COLORS, svgDocument } from './svg.js';

/** One curve: points `(x, y)` in drawing order; non-finite y values break the line. */
export interface LineSeries {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
  /** Default: the next of the shared series colours. */
  readonly color?: string;
  /** Draw markers at the points (for sparse series such as evaluations). */
  readonly markers?: boolean;
}

/** A chart of one or more curves over a shared x axis. */
export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
}

/**
 * Renders curves (e.g. loss per step) with round ticks, a legend, and markers for sparse series.
 * Points on the same pixel are merged, so long runs stay small.
 * @example
 * ```ts
 * const svg = renderLineChart({ title: 'Loss', xLabel: 'step', yLabel: 'loss', series: [{ label: 'total', points: [[0, 4.2], [1, 3.9]] }] });
 * ```
 */
export function renderLineChart(chart: LineChart, id = 'line-chart', size: PlotSize = {}): string {
  const f = frame(size.width ?? 560, size.height ?? 320);
  const finite = chart.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  if (finite.length === 0) {
    return svgDocument(f, chart.title, [`<text x="${coord(f.width / 2)}" y="${coord(f.height / 2)}" text-anchor="middle" fill="#666">no data</text>`], id);
  }
  const xs = finite.map(([x]) => x);
  const ys = finite.map(([, y]) => y);
  const xTicks = niceTicks(Math.min(...xs), Math.max(...xs));
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const [x0, x1] = [xTicks[0]!.value, xTicks[xTicks.length - 1]!.value];
  const [y0, y1] = [yTicks[0]!.value, yTicks[yTicks.length - 1]!.value];
  const x = (v: number): number => f.left + ((v - x0) / (x1 - x0 || 1)) * (f.right - f.left);
  const y = (v: number): number => f.bottom - ((v - y0) / (y1 - y0 || 1)) * (f.bottom - f.top);
  const body = axes(f, xTicks, yTicks, x, y, chart.xLabel, chart.yLabel);
  const items: { label: string; color: string }[] = [];
  chart.series.forEach((s, i) => {
    const color = s.color ?? (SERIES_COLORS[i % SERIES_COLORS.length] as string);
    items.push({ label: s.label, color });
    // A non-finite value (a skipped step) ends one segment; the next finite point starts another.
    const segments: [number, number][][] = [[]];
    for (const [px, py] of s.points) {
      if (Number.isFinite(px) && Number.isFinite(py)) segments[segments.length - 1]!.push([x(px), y(py)]);
      else if (segments[segments.length - 1]!.length > 0) segments.push([]);
    }
    for (const seg of segments) {
      if (seg.length > 0) body.push(`<path class="series" data-label="${escapeXml(s.label)}" d="${polyline(seg)}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    }
    if (s.markers) {
      for (const seg of segments) for (const [px, py] of seg) body.push(`<circle cx="${coord(px)}" cy="${coord(py)}" r="3" fill="${color}"/>`);
    }
  });
  body.push(...legend(f.right - 180, f.top + 8, items));
  return svgDocument(f, chart.title, body, id);
}
