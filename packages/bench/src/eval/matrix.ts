/**
 * Input adapters: every metric takes embeddings as one of a few plain shapes and works on a
 * row-major float64 copy.
 */

/**
 * Anything with a 2-D `shape` and a synchronous `dataSync()`, e.g. a TensorFlow.js `Tensor2D`
 * (typed structurally so that this package needs no runtime import of TensorFlow.js).
 */
export interface TensorLike2D {
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number>;
}

/** A dense row-major matrix: `data[r * cols + c]`. */
export interface DenseMatrix {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

/**
 * An (rows, d) matrix of embeddings: an array of rows (`number[][]`, `Float32Array[]`), a
 * {@link DenseMatrix}, or a {@link TensorLike2D} such as a TensorFlow.js `Tensor2D`.
 */
export type EmbeddingMatrix = readonly ArrayLike<number>[] | DenseMatrix | TensorLike2D;

/** Same/different flags of pairs: booleans, or the integers 0 and 1. */
export type PairLabels = ArrayLike<boolean | number>;

/** A float64 row-major matrix (internal working format). */
export interface Matrix64 {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

function isTensorLike(x: unknown): x is TensorLike2D {
  return typeof x === 'object' && x !== null && 'shape' in x && typeof (x as { dataSync?: unknown }).dataSync === 'function';
}

function isDense(x: unknown): x is DenseMatrix {
  return typeof x === 'object' && x !== null && 'data' in x && 'rows' in x && 'cols' in x;
}

function checkDim(value: number, what: string, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name}: ${what} must be a non-negative integer, got ${String(value)}`);
  }
}

/** Copies any {@link EmbeddingMatrix} into a float64 row-major matrix, validating its shape. */
export function toMatrix64(input: EmbeddingMatrix, name: string): Matrix64 {
  if (isTensorLike(input)) {
    if (input.shape.length !== 2) {
      throw new Error(`${name}: expected a 2-D tensor, got shape [${input.shape.join(', ')}]`);
    }
    const [rows, cols] = input.shape as [number, number];
    const values = input.dataSync();
    if (values.length !== rows * cols) {
      throw new Error(`${name}: tensor data has ${values.length} values, shape [${rows}, ${cols}] needs ${rows * cols}`);
    }
    return { data: Float64Array.from(values), rows, cols };
  }
  if (isDense(input)) {
    checkDim(input.rows, 'rows', name);
    checkDim(input.cols, 'cols', name);
    if (input.data.length !== input.rows * input.cols) {
      throw new Error(
        `${name}: data has ${input.data.length} values, rows × cols = ${input.rows} × ${input.cols} needs ${input.rows * input.cols}`,
      );
    }
    return { data: Float64Array.from(input.data), rows: input.rows, cols: input.cols };
  }
  if (!Array.isArray(input)) {
    throw new Error(`${name}: expected an array of rows, a {data, rows, cols} matrix or a 2-D tensor`);
  }
  const rowsArr = input as readonly ArrayLike<number>[];
  const rows = rowsArr.length;
  const cols = rows > 0 ? rowsArr[0]!.length : 0;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = rowsArr[r];
    if (row === undefined || row === null || typeof row.length !== 'number') {
      throw new Error(`${name}: row ${r} is not an array`);
    }
    if (row.length !== cols) {
      throw new Error(`${name}: row ${r} has ${row.length} values, row 0 has ${cols}`);
    }
    for (let c = 0; c < cols; c++) data[r * cols + c] = row[c]!;
  }
  return { data, rows, cols };
}

/**
 * Index of the first non-finite value (NaN, ±Infinity) of row `r`, or -1.
 */
export function firstNonFinite(m: Matrix64, r: number): number {
  const base = r * m.cols;
  for (let c = 0; c < m.cols; c++) {
    if (!Number.isFinite(m.data[base + c]!)) return c;
  }
  return -1;
}

/** Converts same/different flags to 0/1, rejecting anything else. */
export function toLabels01(issame: PairLabels, name = 'issame'): Uint8Array {
  if (issame === null || typeof issame !== 'object' || typeof issame.length !== 'number') {
    throw new Error(`${name}: expected an array of booleans or 0/1`);
  }
  const out = new Uint8Array(issame.length);
  for (let i = 0; i < issame.length; i++) {
    const v = issame[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v === false || v === 0) out[i] = 0;
    else throw new Error(`${name}[${i}]: expected a boolean or 0/1, got ${String(v)}`);
  }
  return out;
}

/** Copies scores to float64, rejecting non-finite values with the offending index. */
export function toFiniteScores(scores: ArrayLike<number>, name: string): Float64Array {
  if (scores === null || typeof scores !== 'object' || typeof scores.length !== 'number') {
    throw new Error(`${name}: expected an array of numbers`);
  }
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${name}[${i}] (pair ${i}) is ${String(v)}; scores must be finite numbers`);
    }
    out[i] = v;
  }
  return out;
}
