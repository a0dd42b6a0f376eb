/** Option validation shared by the factories: clear errors at construction, never mid-training. */

export type NumberRule = 'finite' | 'positive' | 'nonNegative' | 'positiveInteger' | 'probability';

/** Throws unless `value` is a finite number satisfying `rule`; returns it. */
export function checkNumber(owner: string, name: string, value: number, rule: NumberRule = 'finite'): number {
  const ok = typeof value === 'number' && Number.isFinite(value)
    && (rule === 'finite'
      || (rule === 'positive' && value > 0)
      || (rule === 'nonNegative' && value >= 0)
      || (rule === 'positiveInteger' && Number.isInteger(value) && value >= 1)
      || (rule === 'probability' && value >= 0 && value <= 1));
  if (!ok) {
    const wanted = {
      finite: 'a finite number', positive: 'a number > 0', nonNegative: 'a number ≥ 0',
      positiveInteger: 'an integer ≥ 1', probability: 'a number in [0, 1]',
    }[rule];
    throw new Error(`${owner}: ${name} must be ${wanted}, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`; returns it. */
export function checkChoice<T extends string>(owner: string, name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) throw new Error(`${owner}: ${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`);
  return value;
}
