import type { Plugin } from './plugin.js';

const KIND_NAMES: Readonly<Record<Plugin['kind'], string>> = {
  centers: 'center bank',
  margin: 'margin head',
  loss: 'loss plugin',
  augment: 'augment plugin',
};

/**
 * How errors and logs name a plugin: its kind and name, e.g. `margin head "arcface"`.
 * @example
 * ```ts
 * throw new Error(`${describePlugin(plugin)} returned NaN`);
 * ```
 */
export function describePlugin(plugin: Pick<Plugin, 'kind' | 'name'>): string {
  return `${KIND_NAMES[plugin.kind]} "${plugin.name}"`;
}
