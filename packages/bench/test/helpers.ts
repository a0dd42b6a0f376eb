/** Deterministic synthetic data for the tests (no tfjs, no files). */

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal via Box–Muller. */
export function gaussian(r: () => number): number {
  const u = 1 - r();
  const v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Pair embeddings in the insightface layout: N pairs, dimension d; genuine pairs share an
 * identity centre, impostor pairs do not. `noise` controls the overlap.
 */
export function syntheticPairs(
  n: number,
  d: number,
  seed: number,
  noise = 0.8,
): { embeddings: number[][]; flipped: number[][]; issame: boolean[] } {
  const r = rng(seed);
  const centre = (): number[] => Array.from({ length: d }, () => gaussian(r) * 3);
  const around = (c: number[]): number[] => c.map((v) => Math.fround(v + gaussian(r) * noise * 3));
  const embeddings: number[][] = [];
  const flipped: number[][] = [];
  const issame: boolean[] = [];
  for (let k = 0; k < n; k++) {
    const same = r() < 0.5;
    const c1 = centre();
    const c2 = same ? c1 : centre();
    embeddings.push(around(c1), around(c2));
    flipped.push(around(c1), around(c2));
    issame.push(same);
  }
  return { embeddings, flipped, issame };
}

/**
 * Straightforward port of insightface `calculate_roc` (accuracy part) with scikit-learn
 * `KFold(shuffle=False)` folds: loops over every fold and every threshold, float comparisons.
 */
export function referenceProtocol(
  dist: readonly number[],
  issame: readonly boolean[],
  nFolds = 10,
): { bestThreshold: number[]; accuracy: number[] } {
  const thresholds = Array.from({ length: 400 }, (_, i) => i * 0.01);
  const n = dist.length;
  // sklearn: fold_sizes = full(n_splits, n // n_splits); fold_sizes[:n % n_splits] += 1
  const sizes = Array.from({ length: nFolds }, (_, f) => Math.floor(n / nFolds) + (f < n % nFolds ? 1 : 0));
  const acc = (t: number, idx: number[]): number => {
    let tp = 0;
    let tn = 0;
    for (const i of idx) {
      const p = dist[i]! < t;
      if (p && issame[i]) tp++;
      if (!p && !issame[i]) tn++;
    }
    return (tp + tn) / idx.length;
  };
  const bestThreshold: number[] = [];
  const accuracy: number[] = [];
  let start = 0;
  for (let f = 0; f < nFolds; f++) {
    const test = Array.from({ length: sizes[f]! }, (_, i) => start + i);
    const train = Array.from({ length: n }, (_, i) => i).filter((i) => i < start || i >= start + sizes[f]!);
    let best = 0;
    let bestAcc = -1;
    thresholds.forEach((t, i) => {
      const a = acc(t, train);
      if (a > bestAcc) {
        bestAcc = a;
        best = i;
      }
    });
    bestThreshold.push(thresholds[best]!);
    accuracy.push(acc(thresholds[best]!, test));
    start += sizes[f]!;
  }
  return { bestThreshold, accuracy };
}
