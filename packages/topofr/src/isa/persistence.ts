/**
 * Host-side (float64) pieces of ISA: pairwise distances from difference vectors and the 0-dim
 * persistence pairs of a Vietoris–Rips filtration, found by Kruskal's algorithm exactly as the
 * official `persistent_homology.py` does it (the tie rule matters for the pairing and the gradient).
 */

/** A 0-dim persistence pair: the MST edge `[u, v]` (u < v) whose length is a death time. */
export type PersistencePair = readonly [number, number];

/**
 * Euclidean distances between the `rows` rows of a row-major `(rows, cols)` array, in float64,
 * each from its difference vector sqrt(Σ(a − b)²): identical rows give exactly 0, and equal
 * differences give exactly equal distances (the ties of the pairing are exact ties).
 * @returns a row-major `(rows, rows)` symmetric matrix with a zero diagonal.
 */
export function pairwiseDistancesHost(values: ArrayLike<number>, rows: number, cols: number): Float64Array {
  if (values.length !== rows * cols) throw new Error(`pairwiseDistancesHost: ${values.length} values for ${rows}×${cols}`);
  const out = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    const a = i * cols;
    for (let j = i + 1; j < rows; j++) {
      const b = j * cols;
      let sum = 0;
      for (let k = 0; k < cols; k++) {
        const d = (values[a + k] as number) - (values[b + k] as number);
        sum += d * d;
      }
      const dist = Math.sqrt(sum);
      out[i * rows + j] = dist;
      out[j * rows + i] = dist;
    }
  }
  return out;
}

/**
 * The 0-dim persistence pairs of the distance matrix `distances` (row-major `(n, n)`), i.e. its
 * minimum spanning tree edges **in Kruskal order**, as the official code computes them:
 * 1. all upper-triangle entries (i ≤ j, diagonal included) in row-major order;
 * 2. a stable ascending sort by value (equal values keep their row-major order: the tie rule);
 * 3. a union-find pass keeping each edge that joins two components (diagonal edges never do).
 *
 * NaN distances sort last. Returns `n − 1` pairs `[u, v]` with u < v, their lengths ascending.
 */
export function persistencePairs(distances: ArrayLike<number>, n: number): PersistencePair[] {
  if (distances.length !== n * n) throw new Error(`persistencePairs: ${distances.length} distances for n = ${n}`);
  const count = (n * (n + 1)) / 2;
  const us = new Int32Array(count);
  const vs = new Int32Array(count);
  const keys = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      us[k] = i;
      vs[k] = j;
      keys[k] = distances[i * n + j] as number;
      k++;
    }
  }
  const order = Array.from({ length: count }, (_, e) => e);
  // Explicitly stable: ties (and NaNs among themselves) fall back to the row-major position.
  order.sort((a, b) => {
    const x = keys[a] as number;
    const y = keys[b] as number;
    if (x < y) return -1;
    if (x > y) return 1;
    const xn = Number.isNaN(x);
    const yn = Number.isNaN(y);
    if (xn !== yn) return xn ? 1 : -1;
    return a - b;
  });

  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (u: number): number => {
    let root = u;
    while (parent[root] !== root) root = parent[root] as number;
    // Path compression.
    let node = u;
    while (parent[node] !== root) {
      const next = parent[node] as number;
      parent[node] = root;
      node = next;
    }
    return root;
  };
  const pairs: PersistencePair[] = [];
  for (const e of order) {
    const u = us[e] as number;
    const v = vs[e] as number;
    const ru = find(u);
    const rv = find(v);
    if (ru === rv) continue; // diagonal edges and cycle-closing edges
    // As the official code: the smaller-index root goes under the larger one (no effect on the edges).
    if (ru < rv) parent[ru] = rv;
    else parent[rv] = ru;
    pairs.push([u, v]);
    if (pairs.length === n - 1) break;
  }
  return pairs;
}

/** `distances[u, v]` for each pair, in the pairs' order. */
export function selectPairs(distances: ArrayLike<number>, n: number, pairs: readonly PersistencePair[]): Float64Array {
  return Float64Array.from(pairs, ([u, v]) => distances[u * n + v] as number);
}

/** How many pairs (as unordered edges) the two pairings share: TopoAE's `matched_pairs_0D`. */
export function matchingPairs(a: readonly PersistencePair[], b: readonly PersistencePair[]): number {
  const set = new Set(a.map(([u, v]) => `${u},${v}`));
  return b.filter(([u, v]) => set.has(`${u},${v}`)).length;
}
