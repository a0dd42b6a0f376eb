/** The golden-vector file schema shared by every file in the golden directory. */

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

export interface GoldenCase {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly expected: Readonly<Record<string, unknown>>;
}

export interface GoldenFile {
  readonly method: string;
  readonly variant?: string;
  readonly description?: string;
  /** Usually `{ value: {atol, rtol}, grad: {atol, rtol} }`; some files add their own entries. */
  readonly tolerance: Readonly<Record<string, unknown>>;
  readonly cases: readonly GoldenCase[];
}

/** What an adapter computes for one case: values keyed like the case's `expected`. */
export type GoldenOutputs = Readonly<Record<string, unknown>>;

/**
 * Connects golden files to @fr's public API. An adapter claims files by method/variant, runs a
 * case, and says how each expected key is compared (default: `grad*` keys with the `grad`
 * tolerance, everything else with `value`; integer keys listed in `exactKeys` exactly).
 */
export interface GoldenAdapter {
  /** Shown in test names. */
  readonly name: string;
  matches(file: GoldenFile, fileName: string): boolean;
  run(testCase: GoldenCase, file: GoldenFile): GoldenOutputs | Promise<GoldenOutputs>;
  /** Keys compared exactly (labels, indices, pair lists, iteration counts). */
  readonly exactKeys?: readonly string[];
  /** Expected keys deliberately not compared, each with the reason (shown in the test output). */
  readonly skipKeys?: Readonly<Record<string, string>>;
  /** Custom comparison for a key: return an error message or null. */
  compare?(key: string, actual: unknown, expected: unknown, testCase: GoldenCase, file: GoldenFile): string | null | undefined;
}
