/** Minimal SVG building blocks shared by the report plots (no dependencies). */

/** Escapes text for XML/HTML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A coordinate with at most 2 decimals, without trailing zeros. */
export function coord(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** The plotting rectangle inside an SVG canvas. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** Creates a frame with the standard margins. */
export function frame(width: number, height: number): Frame {
  return { width, height, left: 64, right: width - 20, top: 40, bottom: height - 52 };
}

/** An SVG path `d` through the points, skipping points that land on the previous pixel. */
export function polyline(points: readonly (readonly [number, number])[]): string {
  const parts: string[] = [];
  let prev = '';
  for (const [x, y] of points) {
    const xy = `${coord(x)} ${coord(y)}`;
    if (xy === prev) continue;
    parts.push(`${parts.length === 0 ? 'M' : 'L'}${xy}`);
    prev = xy;
  }
  return parts.join(' ');
}

/** Wraps plot elements into a standalone SVG document with a white background. */
export function svgDocument(f: Frame, title: string, body: string[], id: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${escapeXml(id)}" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
    `<text x="${coord(f.width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** A tick of an axis: position in data units and its label. */
export interface Tick {
  readonly value: number;
  readonly label: string;
}

/** Draws a frame, grid lines, ticks and axis labels. */
export function axes(
  f: Frame,
  xTicks: readonly Tick[],
  yTicks: readonly Tick[],
  x: (v: number) => number,
  y: (v: number) => number,
  xLabel: string,
  yLabel: string,
): string[] {
  const out: string[] = [];
  for (const t of xTicks) {
    const px = coord(x(t.value));
    out.push(`<line x1="${px}" y1="${f.top}" x2="${px}" y2="${f.bottom}" stroke="#e6e6e6" stroke-width="1"/>`);
    out.push(`<text x="${px}" y="${f.bottom + 16}" text-anchor="middle" fill="#444">${escapeXml(t.label)}</text>`);
  }
  for (const t of yTicks) {
    const py = coord(y(t.value));
    out.push(`<line x1="${f.left}" y1="${py}" x2="${f.right}" y2="${py}" stroke="#e6e6e6" stroke-width="1"/>`);
    out.push(`<text x="${f.left - 6}" y="${py}" dy="4" text-anchor="end" fill="#444">${escapeXml(t.label)}</text>`);
  }
  out.push(
    `<rect x="${f.left}" y="${f.top}" width="${f.right - f.left}" height="${f.bottom - f.top}" fill="none" stroke="#888" stroke-width="1"/>`,
  );
  out.push(
    `<text x="${coord((f.left + f.right) / 2)}" y="${f.height - 14}" text-anchor="middle" fill="#222">${escapeXml(xLabel)}</text>`,
  );
  const cy = coord((f.top + f.bottom) / 2);
  out.push(`<text x="16" y="${cy}" text-anchor="middle" fill="#222" transform="rotate(-90 16 ${cy})">${escapeXml(yLabel)}</text>`);
  return out;
}

/** A legend box with coloured swatches, top-left inside the frame at (x, y). */
export function legend(x: number, y: number, items: readonly { label: string; color: string; dashed?: boolean }[]): string[] {
  const out: string[] = [];
  const w = 16 + Math.max(...items.map((i) => i.label.length)) * 6.6 + 20;
  out.push(
    `<rect x="${coord(x)}" y="${coord(y)}" width="${coord(w)}" height="${items.length * 18 + 8}" fill="#ffffff" fill-opacity="0.9" stroke="#ccc"/>`,
  );
  items.forEach((it, i) => {
    const ly = y + 13 + i * 18;
    out.push(
      `<line x1="${coord(x + 8)}" y1="${coord(ly)}" x2="${coord(x + 28)}" y2="${coord(ly)}" stroke="${it.color}" stroke-width="3"${it.dashed === true ? ' stroke-dasharray="5 3"' : ''}/>`,
    );
    out.push(`<text x="${coord(x + 34)}" y="${coord(ly + 4)}" fill="#222">${escapeXml(it.label)}</text>`);
  });
  return out;
}

/** Colours of the series of a multi-series chart, in order of first appearance. */
export const SERIES_COLORS: readonly string[] = ['#1c7ed6', '#e8590c', '#2b8a3e', '#7048e8', '#c92a2a', '#0c8599', '#e67700', '#5c5f66'];

/**
 * Round tick values covering `[lo, hi]` (about five steps of 1, 2, 2.5 or 5 × a power of ten);
 * `[0, 1]` when the range is empty or not finite.
 */
export function niceTicks(lo: number, hi: number): Tick[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
    if (Number.isFinite(lo) && lo === hi && lo !== 0) return niceTicks(Math.min(0, lo), Math.max(0, lo));
    return [{ value: 0, label: '0' }, { value: 1, label: '1' }];
  }
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: Tick[] = [];
  for (let v = Math.floor(lo / step + 1e-9) * step; v <= hi + step * 0.999; v += step) out.push({ value: v, label: String(Number(v.toPrecision(6))) });
  return out;
}
