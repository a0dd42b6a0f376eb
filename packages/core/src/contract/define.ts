import type { AugmentPlugin, CenterBankPlugin, LossPlugin, MarginPlugin, Plugin } from './plugin.js';

const NAME = /^[a-z0-9][a-z0-9._:-]*$/i;

function check<P extends Plugin>(plugin: P, kind: P['kind'], hooks: readonly string[]): P {
  if (typeof plugin !== 'object' || plugin === null) throw new TypeError(`A ${kind} plugin must be an object`);
  if (typeof plugin.name !== 'string' || !NAME.test(plugin.name)) {
    throw new TypeError(`Plugin name ${JSON.stringify(plugin.name)} is invalid: use letters, digits and . _ : - (it prefixes logged terms and checkpoint entries)`);
  }
  if (plugin.kind !== kind) throw new TypeError(`Plugin "${plugin.name}" has kind "${plugin.kind}", expected "${kind}"`);
  const present = hooks.filter((h) => typeof (plugin as unknown as Record<string, unknown>)[h] === 'function');
  if (present.length === 0) throw new TypeError(`${kind} plugin "${plugin.name}" must implement ${hooks.join(' or ')}()`);
  if ((plugin.getState === undefined) !== (plugin.setState === undefined)) {
    throw new TypeError(`Plugin "${plugin.name}" must implement both getState() and setState(), or neither`);
  }
  return plugin;
}

type WithoutKind<P> = Omit<P, 'kind'> & ThisType<P>;

// The object itself is returned (with `kind` set), so class instances keep their prototype.
const withKind = <P extends Plugin>(plugin: object, kind: P['kind']): P => Object.assign(plugin, { kind }) as P;

/**
 * Helpers that add the `kind`, check the object's shape at creation, and give hooks full typing.
 * @example
 * ```ts
 * const plainSoftmax = defineMargin({
 *   name: 'norm-softmax',
 *   logits: ({ cosine }) => ({ logits: tf.mul(cosine, 30) }),
 * });
 * ```
 */
export function defineMargin(plugin: WithoutKind<MarginPlugin>): MarginPlugin {
  return check(withKind<MarginPlugin>(plugin, 'margin'), 'margin', ['logits']);
}

export function defineCenterBank(plugin: WithoutKind<CenterBankPlugin>): CenterBankPlugin {
  return check(withKind<CenterBankPlugin>(plugin, 'centers'), 'centers', ['cosine']);
}

export function defineLoss(plugin: WithoutKind<LossPlugin>): LossPlugin {
  return check(withKind<LossPlugin>(plugin, 'loss'), 'loss', ['sampleWeights', 'terms']);
}

export function defineAugment(plugin: WithoutKind<AugmentPlugin>): AugmentPlugin {
  return check(withKind<AugmentPlugin>(plugin, 'augment'), 'augment', ['apply']);
}
