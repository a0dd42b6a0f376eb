/**
 * Float64 reductions with numpy's summation order, so that means and standard deviations of the
 * verification protocol are bit-identical to `np.mean` / `np.std` of the reference.
 */

/**
 * numpy's pairwise summation (`pairwise_sum_DOUBLE`, contiguous input): plain loop below 8
 * values, 8 interleaved accumulators up to 128, halving (on multiples of 8) above.
 *
 * @example
 * ```ts
 * pairwiseSum([0.1, 0.2, 0.3]); // same bits as np.sum([0.1, 0.2, 0.3])
 * ```
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = r[j]! + a[start + i + j]!;
    }
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/**
 * Arithmetic mean (`np.mean`). Throws on an empty input.
 *
 * @example
 * ```ts
 * mean([0.9, 1]); // 0.95
 * ```
 */
export function mean(a: ArrayLike<number>): number {
  if (a.length === 0) throw new Error('mean of an empty array');
  return pairwiseSum(a) / a.length;
}

/**
 * Population standard deviation (`np.std`, ddof = 0). Throws on an empty input.
 *
 * @example
 * ```ts
 * populationStd([2, 4, 4, 4, 5, 5, 7, 9]); // 2
 * ```
 */
export function populationStd(a: ArrayLike<number>): number {
  const m = mean(a);
  const sq = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - m;
    sq[i] = d * d;
  }
  return Math.sqrt(pairwiseSum(sq) / a.length);
}
