/**
 * Option validation for plugin factories: a bad option fails when the plugin is created, with the
 * plugin and the field named, never in the middle of training.
 */

/** What {@link checkNumber} accepts besides "a finite number". */
export type NumberRule = 'finite' | 'positive' | 'nonNegative' | 'integer' | 'positiveInteger' | 'probability';

const WANTED: Readonly<Record<NumberRule, string>> = {
  finite: 'a finite number',
  positive: 'a number > 0',
  nonNegative: 'a number ≥ 0',
  integer: 'an integer',
  positiveInteger: 'an integer ≥ 1',
  probability: 'a number in [0, 1]',
};

function satisfies(value: number, rule: NumberRule): boolean {
  switch (rule) {
    case 'finite': return true;
    case 'positive': return value > 0;
    case 'nonNegative': return value >= 0;
    case 'integer': return Number.isInteger(value);
    case 'positiveInteger': return Number.isInteger(value) && value >= 1;
    case 'probability': return value >= 0 && value <= 1;
  }
}

/**
 * Returns `value` if it is a finite number satisfying `rule`, else throws
 * `"<owner>: <name> must be <rule>, got <value>"`.
 * @example
 * ```ts
 * const s = checkNumber('myMargin', 's', options.s ?? 64, 'positive');
 * ```
 */
export function checkNumber(owner: string, name: string, value: number, rule: NumberRule = 'finite'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !satisfies(value, rule)) {
    throw new Error(`${owner}: ${name} must be ${WANTED[rule]}, got ${String(value)}`);
  }
  return value;
}

/**
 * Returns `value` if it is one of `allowed`, else throws naming the owner, the field and the choices.
 * @example
 * ```ts
 * const variant = checkChoice('myLoss', 'variant', options.variant ?? 'official', ['official', 'paper']);
 * ```
 */
export function checkChoice<T extends string>(owner: string, name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) throw new Error(`${owner}: ${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`);
  return value;
}
