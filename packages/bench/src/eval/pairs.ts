/**
 * Pair embeddings of the insightface `.bin` layout: rows 2k and 2k+1 are pair k; the optional
 * flipped copy is summed to the original (raw, un-normalised) before L2 normalisation.
 */
import { firstNonFinite, toMatrix64, type EmbeddingMatrix, type Matrix64 } from './matrix.js';

/** Normalised pair embeddings ready for scoring. */
export interface PreparedPairs {
  /** (2N, d) rows normalize(orig + flip), or normalize(orig) without flips. */
  readonly normalized: Matrix64;
  /** Number of pairs N. */
  readonly pairCount: number;
  /** Embedding dimension d. */
  readonly dim: number;
  /** Whether flipped embeddings were summed in. */
  readonly usedFlip: boolean;
  /** Mean L2 norm of all raw rows (original and flipped), insightface's "XNorm". */
  readonly xnorm: number;
}

function describeRow(name: string, r: number): string {
  return `${name} row ${r} (pair ${Math.floor(r / 2)}, ${r % 2 === 0 ? 'first' : 'second'} image)`;
}

function assertFinite(m: Matrix64, name: string): void {
  for (let r = 0; r < m.rows; r++) {
    const c = firstNonFinite(m, r);
    if (c >= 0) {
      throw new Error(`${describeRow(name, r)} has a non-finite value ${String(m.data[r * m.cols + c])} at column ${c}`);
    }
  }
}

function rowNorm(data: Float64Array, base: number, cols: number): number {
  let s = 0;
  for (let c = 0; c < cols; c++) s += data[base + c]! * data[base + c]!;
  return Math.sqrt(s);
}

/**
 * Validates the (2N, d) layout, sums flips, L2-normalises every row (a zero row stays zero, like
 * `sklearn.preprocessing.normalize`) and computes XNorm.
 */
export function preparePairs(embeddings: EmbeddingMatrix, flipped?: EmbeddingMatrix | null): PreparedPairs {
  const orig = toMatrix64(embeddings, 'embeddings');
  if (orig.rows === 0) throw new Error('embeddings: no rows (N = 0 pairs)');
  if (orig.rows % 2 !== 0) {
    throw new Error(`embeddings: ${orig.rows} rows is odd; rows 2k and 2k+1 must form pair k`);
  }
  if (orig.cols === 0) throw new Error('embeddings: rows have no values (d = 0)');
  assertFinite(orig, 'embeddings');
  const flip = flipped === undefined || flipped === null ? null : toMatrix64(flipped, 'embeddings_flip');
  if (flip !== null) {
    if (flip.rows !== orig.rows || flip.cols !== orig.cols) {
      throw new Error(
        `embeddings_flip has shape [${flip.rows}, ${flip.cols}], embeddings has [${orig.rows}, ${orig.cols}]; they must match`,
      );
    }
    assertFinite(flip, 'embeddings_flip');
  }
  const { rows, cols } = orig;
  const out = new Float64Array(rows * cols);
  let normSum = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    normSum += rowNorm(orig.data, base, cols);
    for (let c = 0; c < cols; c++) out[base + c] = orig.data[base + c]!;
  }
  if (flip !== null) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      normSum += rowNorm(flip.data, base, cols);
      for (let c = 0; c < cols; c++) out[base + c] = out[base + c]! + flip.data[base + c]!;
    }
  }
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const n = rowNorm(out, base, cols);
    if (!Number.isFinite(n)) throw new Error(`${describeRow('embeddings', r)} overflows: its norm is not finite`);
    if (n === 0) continue;
    for (let c = 0; c < cols; c++) out[base + c] = out[base + c]! / n;
  }
  return {
    normalized: { data: out, rows, cols },
    pairCount: rows / 2,
    dim: cols,
    usedFlip: flip !== null,
    xnorm: normSum / (flip !== null ? 2 * rows : rows),
  };
}

/** Squared L2 distance between the two normalised rows of every pair (insightface `dist`). */
export function pairSquaredDistances(p: PreparedPairs): Float64Array {
  const { data, cols } = p.normalized;
  const out = new Float64Array(p.pairCount);
  for (let k = 0; k < p.pairCount; k++) {
    const a = 2 * k * cols;
    const b = a + cols;
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const d = data[a + c]! - data[b + c]!;
      s += d * d;
    }
    out[k] = s;
  }
  return out;
}

/** Cosine similarity (dot product of the normalised rows) of every pair. */
export function pairCosineSimilarities(p: PreparedPairs): Float64Array {
  const { data, cols } = p.normalized;
  const out = new Float64Array(p.pairCount);
  for (let k = 0; k < p.pairCount; k++) {
    const a = 2 * k * cols;
    const b = a + cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += data[a + c]! * data[b + c]!;
    out[k] = s;
  }
  return out;
}
