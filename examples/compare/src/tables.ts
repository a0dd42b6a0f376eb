/**
 * The comparison's tables, as rows of cells: rendered to markdown (README, `comparison.md`) and to
 * HTML (the page) from the same rows.
 */
import type { Stat } from './stats.js';
import type { ArmSummary, ClaimResult } from './summary.js';

/** A table: a title, a header row, rows of cells (plain text) and notes under it. */
export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Footnotes for the cells marked {@link WARNED}. */
  readonly notes?: readonly string[];
}

/**
 * Marks a cell that includes a seed whose evaluation warned (typically a collapsed network: most
 * pair distances within one threshold step, so the grid caps its accuracy whatever the embeddings).
 */
export const WARNED = '‡';

/** Display names of the evaluation sets. */
export const SET_LABELS: Readonly<Record<string, string>> = { celeba: 'CelebA held-out', orl: 'ORL', yaleb: 'Yale B' };
const setLabel = (name: string): string => SET_LABELS[name] ?? name;

/** `69.47 ± 1.23` (percent), `69.47` for one seed, `–` when absent. */
export function percent(s: Stat | null | undefined, digits = 2): string {
  if (!s) return '–';
  return s.std === null ? (100 * s.mean).toFixed(digits) : `${(100 * s.mean).toFixed(digits)} ± ${(100 * s.std).toFixed(digits)}`;
}

function plain(s: Stat | null | undefined, digits: number, unit = ''): string {
  if (!s) return '–';
  return s.std === null ? `${s.mean.toFixed(digits)}${unit}` : `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}${unit}`;
}

const signed = (x: number, digits = 2): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
const seedList = (seeds: readonly number[]): string => `seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}`;

/** Accuracy on every set and the time per run. */
export function accuracyTable(arms: readonly ArmSummary[], sets: readonly string[]): Table {
  const warned = (a: ArmSummary, s: string): boolean => (a.sets[s]?.warned.length ?? 0) > 0;
  return {
    title: 'Verification accuracy (%, 10-fold, mean ± std over seeds) and time per run',
    columns: ['arm', 'label noise', ...sets.map((s) => `${setLabel(s)} accuracy`), 'training s', 'img/s', 'run s (wall)', 'run CPU s', 'final loss', 'seeds'],
    notes: arms.flatMap((a) => sets.flatMap((s) => (a.sets[s]?.warned ?? []).flatMap((w) =>
      w.warnings.map((text) => `${WARNED} ${a.arm.label}, seed ${w.seed}, ${setLabel(s)}: ${text}`)))),
    rows: arms.map((a) => [
      a.arm.label,
      `${Math.round(100 * a.arm.noise)}%`,
      ...sets.map((s) => `${percent(a.sets[s]?.accuracy)}${warned(a, s) ? ` ${WARNED}` : ''}`),
      plain(a.trainSeconds, 0),
      plain(a.imagesPerSecond, 1),
      plain(a.wallSeconds, 0),
      plain(a.cpuSeconds, 0),
      plain(a.finalLoss, 2),
      a.seeds.join(', '),
    ]),
  };
}

/** AUC and TAR@FAR = 1e-2 on every set. */
export function rocTable(arms: readonly ArmSummary[], sets: readonly string[]): Table {
  return {
    title: 'AUC and TAR@FAR=1e-2 (%, mean ± std over seeds)',
    columns: ['arm', ...sets.flatMap((s) => [`${setLabel(s)} AUC`, `${setLabel(s)} TAR@FAR=1e-2`])],
    rows: arms.map((a) => [
      a.arm.label,
      ...sets.flatMap((s) => [plain(a.sets[s]?.auc, 4), percent(a.sets[s]?.tarAtFar1e2, 1)]),
    ]),
  };
}

/** Each claim: the paired difference per set and the verdict on the primary set. */
export function claimsTable(claims: readonly ClaimResult[], sets: readonly string[], primarySet: string): Table {
  return {
    title: `Claims: accuracy difference (points, paired by seed, mean ± std); verdict on ${setLabel(primarySet)} (one-sided paired t-test, 95%)`,
    columns: ['claim', 'source', ...sets.map((s) => `Δ ${setLabel(s)}`), 't', 'verdict'],
    notes: claims.flatMap((c) => sets.flatMap((s) => (c.warnedSeeds[s]?.length ?? 0) > 0
      ? [`${WARNED} ${c.claim.statement}, ${setLabel(s)}: the difference includes ${seedList(c.warnedSeeds[s]!)}, whose evaluation warned (see the accuracy table's notes)`]
      : [])),
    rows: claims.map((c) => {
      const primary = c.tests[primarySet];
      return [
        c.claim.statement,
        c.claim.source,
        ...sets.map((s) => {
          const d = c.tests[s]?.difference;
          const mark = (c.warnedSeeds[s]?.length ?? 0) > 0 ? ` ${WARNED}` : '';
          return d ? `${d.std === null ? signed(100 * d.mean) : `${signed(100 * d.mean)} ± ${(100 * d.std).toFixed(2)}`}${mark}` : '–';
        }),
        primary?.t === null || primary?.t === undefined ? '–' : Number.isFinite(primary.t) ? primary.t.toFixed(2) : String(primary.t),
        c.verdict,
      ];
    }),
  };
}

/** A percentage over the seeds where it is defined, saying which seeds it leaves out and why. */
function partial(s: Stat | null, undefinedIn: readonly number[], why: string): string {
  if (!s || undefinedIn.length === 0) return percent(s, 1);
  return `${percent(s, 1)} (${s.values.length} seed${s.values.length > 1 ? 's' : ''}; ${seedList(undefinedIn)}: ${why})`;
}

/** BoundaryFace's corrections against the injected noise, per epoch with detection on. */
export function detectorTable(arms: readonly ArmSummary[]): Table {
  return {
    title: 'BoundaryFace\'s noise detector against the injected flips, per epoch (mean ± std over seeds)',
    columns: ['arm', 'epoch', 'moved labels seen', 'corrections', 'precision (%)', 'recall (%)', 'restored to the true identity'],
    rows: arms.filter((a) => a.detector).flatMap((a) => a.detector!.map((d) => [
      a.arm.label,
      String(d.epoch + 1),
      plain(d.flippedSeen, 0),
      plain(d.corrections, 0),
      partial(d.precision, d.undefinedIn.precision, 'no corrections'),
      partial(d.recall, d.undefinedIn.recall, 'no moved labels'),
      plain(d.restored, 0),
    ])),
  };
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The table in GitHub markdown, its title as a bold line above it. */
export function markdownTable(table: Table): string {
  const header = `| ${table.columns.map(cell).join(' | ')} |`;
  const rule = `|${table.columns.map(() => '---').join('|')}|`;
  const rows = table.rows.map((r) => `| ${r.map(cell).join(' | ')} |`);
  const notes = table.notes?.length ? ['', ...table.notes.map((n) => `${n}  `)] : [];
  return [`**${table.title}**`, '', header, rule, ...rows, ...notes].join('\n');
}
