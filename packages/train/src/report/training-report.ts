/**
 * The HTML training report of a run: curves (loss and each term, accuracy per evaluation, lr and
 * gradient norm, plugin metrics), the evaluation table, the ROC of the last evaluation of each
 * set, and the recipe — one self-contained page built from the run's JSONL log.
 */
import type { EvalEvent, StepEvent } from '@fr/core';
import { escapeXml, formatAccuracy, htmlPage, renderLineChart, renderRocSvg, type LineSeries, type VerificationReport } from '@fr/bench';

/** What the report shows. */
export interface TrainingReportInput {
  readonly name: string;
  readonly description?: string;
  readonly notes?: readonly string[];
  /** Label → value rows of the summary table (data, model, backend, time…). */
  readonly summary: readonly (readonly [string, string])[];
  /** Step events of the whole run (resumed runs: the latest value per step). */
  readonly steps: readonly StepEvent[];
  /** Evaluation events in order (the untrained network's at step 0 included). */
  readonly evaluations: readonly EvalEvent[];
  /** The full report of the last evaluation of each set (for its ROC). */
  readonly lastReports: readonly VerificationReport[];
  /** The resolved recipe, shown as JSON. */
  readonly recipe: unknown;
}

const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(100 * x).toFixed(2)}%`);
const fixed = (x: number | undefined, digits = 4): string => (x === undefined ? '—' : x.toFixed(digits));

/** The mean of the last `window` values at each point (a readable trend under noisy per-step losses). */
function movingAverage(points: readonly (readonly [number, number])[], window: number): [number, number][] {
  const out: [number, number][] = [];
  let sum = 0;
  let count = 0;
  points.forEach(([x, y], i) => {
    if (Number.isFinite(y)) {
      sum += y;
      count++;
    }
    const old = points[i - window];
    if (old && Number.isFinite(old[1])) {
      sum -= old[1];
      count--;
    }
    out.push([x, count > 0 ? sum / count : Number.NaN]);
  });
  return out;
}

function charts(input: TrainingReportInput): string[] {
  const steps = input.steps;
  const x = (e: StepEvent): number => e.step + 1;
  const window = Math.max(1, Math.round(steps.length / 50));
  const loss: [number, number][] = steps.map((e) => [x(e), e.loss]);
  const termNames = [...new Set(steps.flatMap((e) => Object.keys(e.terms)))];
  const lossSeries: LineSeries[] = [
    { label: 'loss', points: loss, color: '#a5c8f0' },
    { label: `loss (mean of ${window})`, points: movingAverage(loss, window), color: '#1c7ed6' },
    ...(termNames.length > 1 ? termNames.map((t) => ({ label: t, points: movingAverage(steps.map((e) => [x(e), e.terms[t] ?? Number.NaN]), window) })) : []),
  ];
  const out = [renderLineChart({ title: 'Training loss', xLabel: 'step', yLabel: 'loss', series: lossSeries }, 'loss-chart')];
  const sets = [...new Set(input.evaluations.map((e) => e.name))];
  if (sets.length > 0) {
    out.push(renderLineChart({
      title: 'Verification accuracy',
      xLabel: 'step',
      yLabel: 'accuracy',
      series: sets.map((set) => ({ label: set, markers: true, points: input.evaluations.filter((e) => e.name === set).map((e) => [e.step, e.metrics.accuracy ?? Number.NaN] as [number, number]) })),
    }, 'accuracy-chart'));
  }
  out.push(renderLineChart({ title: 'Learning rate', xLabel: 'step', yLabel: 'lr', series: [{ label: 'lr', points: steps.map((e) => [x(e), e.lr]) }] }, 'lr-chart'));
  out.push(renderLineChart({ title: 'Gradient norm (before clipping)', xLabel: 'step', yLabel: 'norm', series: [{ label: 'grad norm', points: movingAverage(steps.map((e) => [x(e), e.gradNorm]), window) }] }, 'grad-norm-chart'));
  const metricNames = [...new Set(steps.flatMap((e) => Object.keys(e.metrics)))];
  for (const [i, m] of metricNames.entries()) {
    out.push(renderLineChart({ title: `Plugin metric ${m}`, xLabel: 'step', yLabel: m, series: [{ label: m, points: steps.map((e) => [x(e), e.metrics[m] ?? Number.NaN]) }] }, `metric-chart-${i}`));
  }
  return out;
}

/**
 * Renders the training report page.
 * @example
 * ```ts
 * writeFileSync('report.html', renderTrainingReport({ name: 'arcface-cpu', summary: [], steps, evaluations, lastReports: [], recipe }));
 * ```
 */
export function renderTrainingReport(input: TrainingReportInput): string {
  const e = escapeXml;
  const last = input.lastReports[0];
  const first = last ? input.evaluations.find((ev) => ev.name === last.dataset) : undefined;
  const headline = last
    ? `${e(last.dataset)}: ${e(formatAccuracy(last))}${first && first.step < (input.evaluations.filter((ev) => ev.name === last.dataset).at(-1)?.step ?? 0) ? ` (untrained ${pct(first.metrics.accuracy)})` : ''}`
    : 'no evaluation set';
  const rows = input.evaluations.map((ev) => `<tr><td>${ev.step}</td><td>${e(ev.name)}</td><td>${pct(ev.metrics.accuracy)} ± ${pct(ev.metrics.std)}</td><td>${fixed(ev.metrics.auc)}</td><td>${pct(ev.metrics.eer)}</td><td>${fixed(ev.metrics.xnorm, 2)}</td><td>${ev.seconds.toFixed(1)}</td></tr>`);
  const notes = (input.notes ?? []).map((n) => `<li>${e(n)}</li>`).join('\n');
  const json = JSON.stringify(input.recipe, null, 2);
  return htmlPage(`Training report — ${input.name}`, `<h1>Training report — ${e(input.name)}</h1>
${input.description ? `<p>${e(input.description)}</p>` : ''}
<div class="headline" id="headline">${headline}</div>
<table class="summary">
${input.summary.map(([k, v]) => `<tr><td>${e(k)}</td><td>${e(v)}</td></tr>`).join('\n')}
</table>
<h2>Curves</h2>
<div class="plots">
${charts(input).map((svg) => `<figure>${svg}</figure>`).join('\n')}
</div>
<h2>Evaluations</h2>
${rows.length > 0
    ? `<table class="evaluations">\n<tr><th>Step</th><th>Set</th><th>Accuracy (10-fold mean ± std)</th><th>AUC</th><th>EER</th><th>XNorm</th><th>Seconds</th></tr>\n${rows.join('\n')}\n</table>`
    : '<p class="na">The recipe names no evaluation set.</p>'}
${input.lastReports.length > 0 ? `<h2>ROC of the last evaluation</h2>\n<div class="plots">\n${input.lastReports.map((r) => `<figure data-set="${e(r.dataset)}">${renderRocSvg(r)}</figure>`).join('\n')}\n</div>` : ''}
${notes ? `<h2>Notes</h2>\n<ul>\n${notes}\n</ul>` : ''}
<h2>Recipe</h2>
<pre id="recipe">${e(json)}</pre>`);
}
