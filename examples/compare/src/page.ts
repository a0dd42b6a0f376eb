/** The comparison's HTML page (self-contained: the plots inline), in the style of @fr/bench's reports. */
import { escapeXml, htmlPage } from '@fr/bench';
import type { ComparisonMeta } from './outputs.js';
import type { ArmSummary } from './summary.js';
import type { Table } from './tables.js';

const VERDICT_COLORS: Readonly<Record<string, string>> = { reproduced: '#2b8a3e', reversed: '#c92a2a', 'not significant': '#666', 'one seed': '#666', missing: '#999' };

function htmlTable(table: Table, className: string, verdictColumn = -1): string {
  const head = `<tr>${table.columns.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr>`;
  const rows = table.rows.map((r) => `<tr>${r.map((c, i) => {
    const style = i === verdictColumn ? ` style="color: ${VERDICT_COLORS[c] ?? '#222'}; font-weight: bold"` : '';
    return `<td${style}>${escapeXml(c)}</td>`;
  }).join('')}</tr>`).join('\n');
  const notes = (table.notes ?? []).map((n) => `<p class="note">${escapeXml(n)}</p>`).join('\n');
  return `<h2>${escapeXml(table.title)}</h2>\n<table class="${className}">\n${head}\n${rows}\n</table>${notes ? `\n${notes}` : ''}`;
}

/** Everything the page shows. */
export interface PageInput {
  readonly meta: ComparisonMeta;
  readonly arms: readonly ArmSummary[];
  readonly claims: Table;
  readonly tables: readonly Table[];
  readonly plots: readonly { readonly id: string; readonly svg: string }[];
  /** Relative link of each run's fr-train report, by arm id. */
  readonly reports: Readonly<Record<string, readonly { readonly seed: number; readonly href: string }[]>>;
}

/** The page: claims and verdicts first, then the tables, plots, arms, sets and how it was run. */
export function renderComparisonPage(input: PageInput): string {
  const { meta } = input;
  const facts: [string, string][] = [
    ['Command', meta.command],
    ['Commit', meta.commit],
    ['When', `${meta.started} → ${meta.finished}`],
    ['Machine', meta.machine],
    ['Budget', `${meta.budget.name}: ${meta.budget.steps} steps × ${meta.budget.batchSize} images per run, seeds ${meta.seeds.join(', ')}; ${meta.jobs} run(s) at a time`],
  ];
  const arms = input.arms.map((a) => {
    const links = (input.reports[a.arm.id] ?? []).map((r) => `<a href="${escapeXml(r.href)}">seed ${r.seed}</a>`).join(', ');
    return `<tr><td>${escapeXml(a.arm.label)}</td><td>${escapeXml(a.arm.recipe)}${a.arm.set.length ? ` + <code>${escapeXml(a.arm.set.join(' '))}</code>` : ''}</td><td>${escapeXml(a.arm.description)}</td><td>${links}</td></tr>`;
  }).join('\n');
  const body = [
    '<h1>Do the methods do what their papers claim?</h1>',
    `<p class="note">Every arm trains for the same steps and images on the CelebA crops' training identities, from the same initial network per seed; only the method's plugins differ (the sampler too for the triplet arm). ${escapeXml(meta.note)}</p>`,
    `<table class="facts">${facts.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join('')}</table>`,
    htmlTable(input.claims, 'claims', input.claims.columns.length - 1),
    ...input.tables.map((t, i) => htmlTable(t, `results-${i}`)),
    '<h2>Plots</h2>',
    `<div class="plots">${input.plots.map((p) => `<figure id="${escapeXml(p.id)}">${p.svg}</figure>`).join('\n')}</div>`,
    '<h2>Arms</h2>',
    `<table class="arms"><tr><th>arm</th><th>recipe + overrides</th><th>what</th><th>fr-train reports</th></tr>\n${arms}\n</table>`,
    '<h2>Evaluation sets</h2>',
    `<ul>${meta.sets.map((s) => `<li><b>${escapeXml(s.name)}</b>: ${escapeXml(s.about)} (<code>${escapeXml(s.pairs)}</code>)</li>`).join('')}</ul>`,
  ].join('\n');
  return htmlPage('@fr comparison', body);
}
