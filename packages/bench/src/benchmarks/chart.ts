/** The benchmark's bar charts, as standalone SVG documents in the style of the report plots. */
import { axes, coord, escapeXml, legend, niceTicks, SERIES_COLORS, svgDocument, type Frame, type Tick } from '../report/svg.js';
import { fmt } from './stats.js';
import type { BenchChart } from './types.js';

/**
 * A horizontal bar chart: one row per bar, bars of a group together under the group's label,
 * coloured by series, the value (and note) printed after each bar.
 *
 * @example
 * ```ts
 * writeFileSync('train-step.svg', renderBarChart({ title: 'Training step', unit: 'images/s', bars }));
 * ```
 */
export function renderBarChart(chart: BenchChart, id = 'bench-chart'): string {
  const series = [...new Set(chart.bars.map((b) => b.series))];
  const groups = [...new Set(chart.bars.map((b) => b.group))];
  const color = (s: string): string => SERIES_COLORS[series.indexOf(s) % SERIES_COLORS.length] as string;
  const barH = 18;
  const gap = 14;
  const labelW = Math.min(300, 16 + 6.6 * Math.max(8, ...groups.map((g) => g.length)));
  const noteW = 24 + 6.6 * Math.max(6, ...chart.bars.map((b) => `${fmt(b.value)} ${b.note ?? ''}`.length));
  const legendH = series.length * 18 + 16;
  const plotH = groups.reduce((h, g) => h + chart.bars.filter((b) => b.group === g).length * (barH + 4) + gap, 0);
  const width = Math.round(Math.max(labelW + 420 + noteW, 40 + 8.6 * chart.title.length));
  const height = Math.round(48 + legendH + plotH + 52);
  const f: Frame = { width, height, left: labelW, right: width - noteW, top: 48 + legendH, bottom: height - 52 };
  const max = Math.max(0, ...chart.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)));
  const xt = niceTicks(0, max);
  const xmax = (xt[xt.length - 1] as Tick).value || 1;
  const x = (v: number): number => f.left + (Math.max(0, v) / xmax) * (f.right - f.left);
  const body = axes(f, xt, [], x, () => f.bottom, chart.unit, '');
  body.push(...legend(f.left + 4, 40, series.map((s) => ({ label: s, color: color(s) }))));
  let y = f.top + gap / 2;
  for (const g of groups) {
    const bars = chart.bars.filter((b) => b.group === g);
    const blockH = bars.length * (barH + 4);
    body.push(`<text x="${coord(f.left - 8)}" y="${coord(y + blockH / 2 + 4)}" text-anchor="end" fill="#222">${escapeXml(g)}</text>`);
    for (const b of bars) {
      const ok = Number.isFinite(b.value);
      const w = ok ? x(b.value) - f.left : 0;
      body.push(`<rect class="bar" x="${coord(f.left)}" y="${coord(y)}" width="${coord(Math.max(ok ? 1 : 0, w))}" height="${barH}" fill="${color(b.series)}"><title>${escapeXml(`${g} — ${b.series}: ${ok ? fmt(b.value) : 'n/a'}`)}</title></rect>`);
      const text = ok ? `${fmt(b.value)}${b.note ? `  ${b.note}` : ''}` : `n/a${b.note ? `  ${b.note}` : ''}`;
      body.push(`<text x="${coord(f.left + w + 6)}" y="${coord(y + barH - 5)}" fill="#222">${escapeXml(text)}</text>`);
      y += barH + 4;
    }
    y += gap;
  }
  return svgDocument(f, chart.title, body, id);
}
