/**
 * The comparison's plots as standalone SVG, drawn with @fr/bench's report charts: accuracy per arm
 * on every set, accuracy against the label-noise rate, and the detector's precision and recall.
 */
import { renderBarChart, renderLineChart, type LineSeries } from '@fr/bench';
import type { ArmSummary } from './summary.js';
import { SET_LABELS } from './tables.js';

const std = (s: { std: number | null }): string => (s.std === null ? '' : `± ${(100 * s.std).toFixed(1)}`);

/** Horizontal bars: one group per arm, one bar per evaluation set (mean accuracy, ± std printed). */
export function accuracyPerArmSvg(arms: readonly ArmSummary[], sets: readonly string[]): string {
  return renderBarChart({
    title: 'Verification accuracy per arm (mean over seeds)',
    unit: 'accuracy (%), 10-fold',
    bars: arms.flatMap((a) => sets.filter((s) => a.sets[s]).map((s) => ({
      group: a.arm.label,
      series: SET_LABELS[s] ?? s,
      value: 100 * a.sets[s]!.accuracy.mean,
      note: std(a.sets[s]!.accuracy),
    }))),
  }, 'accuracy-per-arm');
}

/** One line per method over the noise rates it was run at, on `set`. */
export function accuracyVsNoiseSvg(arms: readonly ArmSummary[], set: string): string {
  const methods = [...new Set(arms.filter((a) => arms.some((b) => b.arm.method === a.arm.method && b.arm.noise > 0)).map((a) => a.arm.method))];
  const series: LineSeries[] = methods.map((method) => ({
    label: method,
    markers: true,
    points: arms.filter((a) => a.arm.method === method && a.sets[set]).sort((a, b) => a.arm.noise - b.arm.noise)
      .map((a) => [100 * a.arm.noise, 100 * a.sets[set]!.accuracy.mean] as const),
  }));
  return renderLineChart({ title: `${SET_LABELS[set] ?? set} accuracy vs closed-set label noise (mean over seeds)`, xLabel: 'label noise (%)', yLabel: 'accuracy (%)', series }, 'accuracy-vs-noise');
}

/** Precision and recall of the corrections per epoch, one pair of lines per detector arm with noise. */
export function detectorSvg(arms: readonly ArmSummary[]): string {
  const series: LineSeries[] = arms.filter((a) => a.detector && a.arm.noise > 0).flatMap((a) => (['precision', 'recall'] as const).map((key) => ({
    label: `${a.arm.method}, ${Math.round(100 * a.arm.noise)}%: ${key}`,
    markers: true,
    points: a.detector!.filter((d) => d[key] !== null).map((d) => [d.epoch + 1, 100 * d[key]!.mean] as const),
  })));
  return renderLineChart({ title: 'BoundaryFace corrections vs the injected flips', xLabel: 'epoch', yLabel: '%', series }, 'detector', { width: 760 });
}
