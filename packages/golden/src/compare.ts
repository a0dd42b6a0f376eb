import type { Tolerance } from './schema.js';

/** Flattens nested numeric arrays (and typed arrays) to numbers, with the shape found. */
export function flatten(value: unknown): { values: number[]; shape: number[] } {
  const values: number[] = [];
  const shape: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'number' || typeof v === 'boolean') {
      values.push(Number(v));
      return;
    }
    const arr = ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : (v as unknown[]);
    if (!Array.isArray(arr)) throw new Error(`not a number or array: ${JSON.stringify(v)?.slice(0, 80)}`);
    if (shape.length <= depth) shape.push(arr.length);
    for (const x of arr) walk(x, depth + 1);
  };
  walk(value, 0);
  return { values, shape };
}

/** Compares with |a − e| ≤ atol + rtol·|e|; returns a message naming the worst element, or null. */
export function compareNumbers(actual: unknown, expected: unknown, tol: Tolerance | 'exact'): string | null {
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.values.length !== e.values.length) return `has ${a.values.length} values (shape [${a.shape}]), expected ${e.values.length} (shape [${e.shape}])`;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < e.values.length; i++) {
    const x = a.values[i] as number;
    const y = e.values[i] as number;
    const ok = tol === 'exact' ? x === y : Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y);
    if (!ok) {
      const excess = tol === 'exact' ? 1 : Math.abs(x - y) - (tol.atol + tol.rtol * Math.abs(y));
      if (!Number.isFinite(x) || excess > worstExcess || worst < 0) {
        worst = i;
        worstExcess = Number.isFinite(x) ? excess : Infinity;
      }
    }
  }
  if (worst < 0) return null;
  const bad = e.values.filter((y, i) => {
    const x = a.values[i] as number;
    return tol === 'exact' ? x !== y : !(Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y));
  }).length;
  return `${bad} of ${e.values.length} values out of tolerance${tol === 'exact' ? ' (exact)' : ` (atol ${tol.atol}, rtol ${tol.rtol})`}; worst at flat index ${worst}: got ${a.values[worst]}, expected ${e.values[worst]}`;
}
