/** Contiguous k-fold splits with scikit-learn `KFold(n_splits, shuffle=False)` semantics. */

/** One contiguous fold: items `[start, end)` are held out, every other item trains. */
export interface FoldRange {
  /** Fold number, 0-based. */
  readonly index: number;
  /** First held-out item. */
  readonly start: number;
  /** One past the last held-out item. */
  readonly end: number;
}

/**
 * Splits `n` items into `nFolds` contiguous folds exactly like scikit-learn's
 * `KFold(n_splits=nFolds, shuffle=False)`: every fold has `floor(n / nFolds)` items and the
 * first `n % nFolds` folds get one more.
 *
 * @example
 * ```ts
 * kFoldRanges(23, 10).map((f) => f.end - f.start); // [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
 * ```
 */
export function kFoldRanges(n: number, nFolds: number): FoldRange[] {
  if (!Number.isInteger(nFolds) || nFolds < 2) {
    throw new Error(`nFolds must be an integer ≥ 2, got ${String(nFolds)}`);
  }
  if (!Number.isInteger(n) || n < nFolds) {
    throw new Error(`cannot split ${String(n)} pairs into ${nFolds} folds: need at least ${nFolds} pairs`);
  }
  const base = Math.floor(n / nFolds);
  const extra = n % nFolds;
  const folds: FoldRange[] = [];
  let start = 0;
  for (let f = 0; f < nFolds; f++) {
    const size = base + (f < extra ? 1 : 0);
    folds.push({ index: f, start, end: start + size });
    start += size;
  }
  return folds;
}
