/**
 * The checks that need no backend, data or model: every plugin resolved to its factory (of the
 * right kind) and the backbone options validated. Then, once sizes are known, the composition
 * built from them.
 */
import type { AugmentPlugin, CenterBankPlugin, LossPlugin, MarginPlugin, PluginKind } from '@fr/core';
import { resolveBackboneConfig, type BackboneConfig } from '@fr/backbones';
import type { LoadedRecipe } from '../recipe/load.js';
import { RecipeError } from '../recipe/errors.js';
import type { PluginRef } from '../recipe/schema.js';
import { constructPlugin, type RecipeVariables } from '../plugins/construct.js';
import { resolveFactory, type ResolvedFactory } from '../plugins/resolve.js';

/** A recipe whose plugins and backbone options passed every check that needs no backend. */
export interface PreparedRecipe {
  readonly loaded: LoadedRecipe;
  readonly backboneConfig: BackboneConfig;
  readonly centers?: ResolvedFactory & { kind: 'centers' };
  readonly margin?: ResolvedFactory & { kind: 'margin' };
  readonly losses: readonly (ResolvedFactory & { kind: 'loss' })[];
  readonly augments: readonly (ResolvedFactory & { kind: 'augment' })[];
}

/** The plugins of a composition, built. */
export interface BuiltPlugins {
  readonly centers?: CenterBankPlugin;
  readonly margin?: MarginPlugin;
  readonly losses: LossPlugin[];
  readonly augments: AugmentPlugin[];
}

/**
 * Resolves every plugin of the recipe (from its folder, then the current one) and validates the
 * backbone options. Throws one {@link RecipeError} listing every problem.
 */
export async function prepareRecipe(loaded: LoadedRecipe, conditions: readonly string[] = []): Promise<PreparedRecipe> {
  const { recipe } = loaded;
  const from = [loaded.dir, process.cwd()];
  const problems: string[] = [];
  const resolve = async <K extends PluginKind>(ref: PluginRef | undefined, slot: string, kind: K): Promise<(ResolvedFactory & { kind: K }) | undefined> => {
    if (!ref) return undefined;
    try {
      return (await resolveFactory(ref, slot, kind, { from, conditions })) as ResolvedFactory & { kind: K };
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const centers = await resolve(recipe.centers, 'centers', 'centers');
  const margin = await resolve(recipe.margin, 'margin', 'margin');
  const losses = await Promise.all(recipe.losses.map((ref, i) => resolve(ref, `losses.${i}`, 'loss')));
  const augments = await Promise.all(recipe.augments.map((ref, i) => resolve(ref, `augments.${i}`, 'augment')));
  let backboneConfig: BackboneConfig | undefined;
  try {
    backboneConfig = resolveBackboneConfig(recipe.backbone.architecture, recipe.backbone.options);
  } catch (error) {
    problems.push(`backbone: ${(error as Error).message}`);
  }
  if (problems.length > 0 || !backboneConfig) throw new RecipeError(loaded.file, problems);
  return {
    loaded,
    backboneConfig,
    centers,
    margin,
    losses: losses.filter((f) => f !== undefined),
    augments: augments.filter((f) => f !== undefined),
  };
}

/** Options that JSON cannot carry (callbacks), by slot: `margin`, `centers`, `losses.0`, `augments.1`. */
export type CodeOptions = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * Builds the plugins with the run's sizes. A center bank gets `numClasses`, `embeddingSize` and
 * `seed` unless its options set them; any option may refer to `$numClasses`, `$embeddingSize`,
 * `$inputSize` or `$seed`. `codeOptions` are merged over a slot's recipe options (and checked
 * like them: an option the factory never reads is an error). Throws one {@link RecipeError}
 * listing every rejected plugin.
 */
export function buildPlugins(prepared: PreparedRecipe, variables: RecipeVariables & { numClasses: number; embeddingSize: number; seed: number }, codeOptions: CodeOptions = {}): BuiltPlugins {
  const problems: string[] = [];
  const slots = [prepared.centers, prepared.margin, ...prepared.losses, ...prepared.augments].filter((f) => f !== undefined).map((f) => f.slot);
  for (const slot of Object.keys(codeOptions)) {
    if (!slots.includes(slot)) problems.push(`code options for "${slot}": the recipe has no plugin there (its plugins: ${slots.join(', ') || 'none'})`);
  }
  const build = <K extends PluginKind>(resolved: (ResolvedFactory & { kind: K }) | undefined, injected: Record<string, unknown> = {}) => {
    if (!resolved) return undefined;
    try {
      return constructPlugin(resolved, { ...resolved.ref.options, ...codeOptions[resolved.slot] }, variables, injected);
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const built = {
    centers: build(prepared.centers, { numClasses: variables.numClasses, embeddingSize: variables.embeddingSize, seed: variables.seed }),
    margin: build(prepared.margin),
    losses: prepared.losses.map((f) => build(f)).filter((p) => p !== undefined),
    augments: prepared.augments.map((f) => build(f)).filter((p) => p !== undefined),
  };
  if (problems.length > 0) {
    disposePlugins(built);
    throw new RecipeError(prepared.loaded.file, problems);
  }
  return built;
}

/** Frees what the plugins hold (center weights, state tensors). */
export function disposePlugins(plugins: Partial<BuiltPlugins>): void {
  for (const p of [plugins.centers, plugins.margin, ...(plugins.losses ?? []), ...(plugins.augments ?? [])]) p?.dispose?.();
}
