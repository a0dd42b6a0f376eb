/** Shapes shared by the benchmark suites of `fr-bench bench`. */
import type { BackendInfo } from '@fr/core';
import type { ParsedFlags } from '@fr/core/cli';
import type { TorchSetup } from './torch.js';

/** The suites, in the order `fr-bench bench` runs them. */
export const SUITES = ['train-step', 'margin-head', 'scaling', 'loader', 'eval', 'embed', 'webgpu'] as const;
export type SuiteName = (typeof SUITES)[number];

/** A printed table: a header row, rows of cells, and notes printed under it. */
export interface BenchTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes?: readonly string[];
}

/** One bar of a chart; bars with the same `group` are drawn together, coloured by `series`. */
export interface ChartBar {
  readonly group: string;
  readonly series: string;
  readonly value: number;
  /** Printed after the value (e.g. `2.4× torch`). */
  readonly note?: string;
}

/** A horizontal bar chart written as `<suite>.svg` (or `<suite>-<n>.svg` when a suite has several). */
export interface BenchChart {
  readonly title: string;
  /** Axis label, e.g. `images/s (higher is better)`. */
  readonly unit: string;
  readonly bars: readonly ChartBar[];
}

/** A line chart (cost against a swept parameter), one polyline per series. */
export interface LineChart {
  readonly kind: 'line';
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Log-scaled x axis (batch 8→128, classes 10k→1M). */
  readonly logX?: boolean;
  readonly series: readonly { readonly name: string; readonly dashed?: boolean; readonly points: readonly { readonly x: number; readonly y: number }[] }[];
}

/** What a suite hands back; written as `<suite>.json`. */
export interface SuiteResult {
  readonly suite: SuiteName;
  readonly title: string;
  /** `skipped`: could not run here (reason says why); `failed`: ran and broke (reason says how). */
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly reason?: string;
  /** What ran: sizes, repetitions, backend, adapter… */
  readonly config: Readonly<Record<string, unknown>>;
  readonly tables: readonly BenchTable[];
  readonly charts: readonly (BenchChart | LineChart)[];
  /** The raw measurements (every step time, medians, derived rates). */
  readonly data: unknown;
  readonly seconds?: number;
}

/** Everything a suite may use. */
export interface BenchContext {
  readonly args: ParsedFlags;
  /** `--quick`: the smallest configuration that still exercises every path (a smoke run). */
  readonly quick: boolean;
  /** `--full`: the complete configuration (minutes to an hour on a 2-core CPU machine). */
  readonly full: boolean;
  /** The tfjs backend the suites (except `webgpu`) run on. */
  readonly backend: BackendInfo;
  readonly torch: TorchSetup;
  /** Results of the suites that already ran in this invocation (the loader reads train-step's). */
  readonly results: ReadonlyMap<SuiteName, SuiteResult>;
  /** Where the result files go (null: do not write). */
  readonly outDir: string | null;
  /** Prints a line of the report. */
  readonly out: (line: string) => void;
  /** Transient progress (a single rewritten line on a TTY; nothing otherwise). */
  readonly progress: (text: string) => void;
}

/** A suite: a name, a title and its runner. */
export interface Suite {
  readonly name: SuiteName;
  readonly title: string;
  run(ctx: BenchContext): Promise<SuiteResult>;
}
