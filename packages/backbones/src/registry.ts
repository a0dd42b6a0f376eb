import type { BackboneConfig } from './config.js';
import type { ArchitectureDefinition } from './architecture.js';
import { builtinArchitectures } from './builtins.js';

export type { ArchitectureDefinition } from './architecture.js';

let registry: Map<string, ArchitectureDefinition> | null = null;

// Built-ins are registered on first use, not at import, so the package stays side-effect free.
function entries(): Map<string, ArchitectureDefinition> {
  if (!registry) {
    registry = new Map();
    for (const def of builtinArchitectures()) registry.set(def.name, def);
  }
  return registry;
}

/**
 * Adds an architecture to the registry so `createBackbone` and model loading can find it.
 * Throws if the name is taken (pass `replace: true` to override deliberately).
 *
 * @example
 * ```ts
 * registerArchitecture({
 *   name: 'my_net', family: 'custom', description: 'my backbone',
 *   resolveConfig: (options) => parseMyConfig(options),       // fills defaults, validates
 *   build: (config, ctx) => new ModuleBackbone(config, new MyNet(ctx, config)),
 * });
 * const net = createBackbone('my_net', {}, { rng });
 * ```
 */
export function registerArchitecture<C extends BackboneConfig>(definition: ArchitectureDefinition<C>, options: { replace?: boolean } = {}): void {
  const registry = entries();
  if (registry.has(definition.name) && !options.replace) {
    throw new Error(`Backbone architecture "${definition.name}" is already registered`);
  }
  registry.set(definition.name, definition as unknown as ArchitectureDefinition);
}

/** The registered definition for `name`, or a clear error listing the known names. */
export function getArchitecture(name: string): ArchitectureDefinition {
  const def = entries().get(name);
  if (!def) {
    throw new Error(`Unknown backbone architecture "${name}"; known: ${listArchitectures().join(', ')}`);
  }
  return def;
}

/** Names of every registered architecture, sorted. */
export function listArchitectures(): string[] {
  return [...entries().keys()].sort();
}
