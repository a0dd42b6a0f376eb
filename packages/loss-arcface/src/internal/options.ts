/** Option validation shared by the factories: clear errors at construction, never mid-training. */

/** Throws unless `value` is a finite number (optionally > 0, ≥ 0, or an integer ≥ 1). */
export function checkNumber(owner: string, name: string, value: number, rule: 'finite' | 'positive' | 'nonNegative' | 'positiveInteger' = 'finite'): number {
  const ok = Number.isFinite(value)
    && (rule === 'finite'
      || (rule === 'positive' && value > 0)
      || (rule === 'nonNegative' && value >= 0)
      || (rule === 'positiveInteger' && Number.isInteger(value) && value >= 1));
  if (!ok) {
    const wanted = { finite: 'a finite number', positive: 'a number > 0', nonNegative: 'a number ≥ 0', positiveInteger: 'an integer ≥ 1' }[rule];
    throw new Error(`${owner}: ${name} must be ${wanted}, got ${String(value)}`);
  }
  return value;
}
