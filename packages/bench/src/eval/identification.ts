/**
 * Closed-set identification: every probe is matched against a labelled gallery; rank-k accuracy
 * is the fraction of probes whose identity is among the k best-matching gallery identities.
 */
import { firstNonFinite, toMatrix64, type EmbeddingMatrix, type Matrix64 } from './matrix.js';

/** Identity labels (integers or strings). */
export type IdentityLabels = ArrayLike<number | string>;

/** Inputs of {@link identificationAccuracy}. */
export interface IdentificationInput {
  /** (G, d) gallery embeddings (one or more per identity). */
  readonly gallery: EmbeddingMatrix;
  /** G identity labels of the gallery rows. */
  readonly galleryLabels: IdentityLabels;
  /** (P, d) probe embeddings. */
  readonly probes: EmbeddingMatrix;
  /** P identity labels of the probes; each must occur in the gallery (closed set). */
  readonly probeLabels: IdentityLabels;
}

/** Options of {@link identificationAccuracy}. */
export interface IdentificationOptions {
  /** Ranks k to report (positive integers). Default [1, 5, 10]. */
  readonly ranks?: readonly number[];
  /**
   * `'cosine'` (default): cosine similarity of L2-normalised embeddings. `'squaredL2'`: squared
   * Euclidean distance of the raw embeddings (smaller = closer).
   */
  readonly metric?: 'cosine' | 'squaredL2';
}

/** Result of {@link identificationAccuracy}. */
export interface IdentificationResult {
  /** Fraction of probes whose best-matching identity is correct. */
  readonly rank1: number;
  /** Cumulative match characteristic at the requested ranks. */
  readonly cmc: readonly { readonly rank: number; readonly accuracy: number }[];
  /**
   * Rank (1-based) of the true identity for each probe. An identity's score is its best gallery
   * sample; ties count against the probe (rank = 1 + number of other identities scoring at least
   * as well).
   */
  readonly probeRanks: Int32Array;
  readonly probeCount: number;
  readonly galleryCount: number;
  readonly identityCount: number;
  readonly metric: 'cosine' | 'squaredL2';
}

function labelsOf(labels: IdentityLabels, n: number, name: string): (number | string)[] {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new Error(`${name}: expected an array of labels`);
  }
  if (labels.length !== n) throw new Error(`${name} has ${labels.length} entries but there are ${n} embeddings`);
  const out: (number | string)[] = [];
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) out.push(v);
    else throw new Error(`${name}[${i}]: expected a finite number or a string, got ${String(v)}`);
  }
  return out;
}

function checkRows(m: Matrix64, name: string, normalise: boolean): void {
  for (let r = 0; r < m.rows; r++) {
    const c = firstNonFinite(m, r);
    if (c >= 0) throw new Error(`${name} row ${r} has a non-finite value ${String(m.data[r * m.cols + c])} at column ${c}`);
    if (!normalise) continue;
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[r * m.cols + j]! ** 2;
    const n = Math.sqrt(s);
    if (n === 0) throw new Error(`${name} row ${r} is all zeros; cosine similarity is undefined`);
    for (let j = 0; j < m.cols; j++) m.data[r * m.cols + j] = m.data[r * m.cols + j]! / n;
  }
}

/**
 * Closed-set identification accuracy at rank 1 and at the requested ranks.
 *
 * @example
 * ```ts
 * const r = identificationAccuracy(
 *   { gallery, galleryLabels, probes, probeLabels },
 *   { ranks: [1, 5] },
 * );
 * r.rank1; // e.g. 0.97
 * ```
 */
export function identificationAccuracy(
  input: IdentificationInput,
  options: IdentificationOptions = {},
): IdentificationResult {
  const metric = options.metric ?? 'cosine';
  if (metric !== 'cosine' && metric !== 'squaredL2') throw new Error(`unknown metric ${String(metric)}`);
  const ranks = options.ranks ?? [1, 5, 10];
  for (const k of ranks) if (!Number.isInteger(k) || k < 1) throw new Error(`ranks must be positive integers, got ${String(k)}`);
  const g = toMatrix64(input.gallery, 'gallery');
  const p = toMatrix64(input.probes, 'probes');
  if (g.rows === 0) throw new Error('gallery is empty');
  if (p.rows === 0) throw new Error('probes is empty');
  if (g.cols !== p.cols) throw new Error(`gallery has dimension ${g.cols}, probes have ${p.cols}`);
  if (g.cols === 0) throw new Error('embeddings have no values (d = 0)');
  const gl = labelsOf(input.galleryLabels, g.rows, 'galleryLabels');
  const pl = labelsOf(input.probeLabels, p.rows, 'probeLabels');
  checkRows(g, 'gallery', metric === 'cosine');
  checkRows(p, 'probes', metric === 'cosine');

  const identityIndex = new Map<number | string, number>();
  const galleryIdentity = new Int32Array(g.rows);
  for (let r = 0; r < g.rows; r++) {
    let id = identityIndex.get(gl[r]!);
    if (id === undefined) {
      id = identityIndex.size;
      identityIndex.set(gl[r]!, id);
    }
    galleryIdentity[r] = id;
  }
  const nId = identityIndex.size;
  const probeIdentity = new Int32Array(p.rows);
  for (let r = 0; r < p.rows; r++) {
    const id = identityIndex.get(pl[r]!);
    if (id === undefined) {
      throw new Error(`probe ${r} has label ${String(pl[r])}, which is not in the gallery (closed-set identification)`);
    }
    probeIdentity[r] = id;
  }

  const d = g.cols;
  const best = new Float64Array(nId);
  const probeRanks = new Int32Array(p.rows);
  for (let q = 0; q < p.rows; q++) {
    best.fill(-Infinity);
    const qb = q * d;
    for (let r = 0; r < g.rows; r++) {
      const gb = r * d;
      let s = 0;
      if (metric === 'cosine') {
        for (let j = 0; j < d; j++) s += p.data[qb + j]! * g.data[gb + j]!;
      } else {
        for (let j = 0; j < d; j++) {
          const diff = p.data[qb + j]! - g.data[gb + j]!;
          s -= diff * diff;
        }
      }
      const id = galleryIdentity[r]!;
      if (s > best[id]!) best[id] = s;
    }
    const truth = probeIdentity[q]!;
    const own = best[truth]!;
    let rank = 1;
    for (let id = 0; id < nId; id++) if (id !== truth && best[id]! >= own) rank++;
    probeRanks[q] = rank;
  }
  const accuracyAt = (k: number): number => {
    let hit = 0;
    for (let q = 0; q < p.rows; q++) if (probeRanks[q]! <= k) hit++;
    return hit / p.rows;
  };
  return {
    rank1: accuracyAt(1),
    cmc: ranks.map((rank) => ({ rank, accuracy: accuracyAt(rank) })),
    probeRanks,
    probeCount: p.rows,
    galleryCount: g.rows,
    identityCount: nId,
    metric,
  };
}
