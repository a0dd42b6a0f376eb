import type { Backbone } from '@fr/core';
import type { BackboneConfig } from './config.js';
import { buildContext, type BuildOptions } from './layers/index.js';
import { getArchitecture } from './registry.js';
import type { IResNetName, IResNetOptions } from './iresnet/index.js';
import type { MobileFaceNetOptions } from './mobilefacenet/index.js';
import type { ViTOptions } from './vit/index.js';

/** Names of the built-in ViT presets (`vit_s`, `transface_l`, …). */
export type ViTName =
  | 'vit_t' | 'vit_t_dp005_mask0' | 'vit_s' | 'vit_s_dp005_mask_0' | 'vit_b' | 'vit_b_dp005_mask_005'
  | 'vit_l' | 'vit_l_dp005_mask_005' | 'vit_h' | 'transface_s' | 'transface_b' | 'transface_l';

/** Typed options of a built-in architecture name; any record for other registered names. */
export type OptionsFor<N extends string> = N extends IResNetName ? IResNetOptions
  : N extends 'mobilefacenet' ? MobileFaceNetOptions
    : N extends ViTName ? ViTOptions
      : Readonly<Record<string, unknown>>;

/**
 * Fills every default of architecture `name` and validates `options` (unknown keys and bad values
 * throw one readable error). The result is the JSON stored as `Backbone.config` and in model files.
 */
export function resolveBackboneConfig(name: string, options: Readonly<Record<string, unknown>> = {}): BackboneConfig {
  if (options.architecture !== undefined && options.architecture !== name) {
    throw new Error(`Options name architecture "${String(options.architecture)}" but "${name}" was requested`);
  }
  return getArchitecture(name).resolveConfig({ ...options, architecture: name });
}

/**
 * Builds a backbone by registry name, drawing its initial weights from `build.rng` (default: a
 * stream seeded 2048, so two calls build identical networks).
 *
 * @example
 * ```ts
 * const rng = Rng.fromSeed(42);
 * const r50 = createBackbone('iresnet50', {}, { rng: rng.fork('backbone') });
 * const tiny = createBackbone('iresnet18', { inputSize: 56, widthMultiplier: 0.25 }, { rng });
 * const vit = createBackbone('transface_s', {}, { rng });          // ViT-S + SE patch gate
 * const { embedding, aux } = vit.forward(images, { training: true, rng: rng.fork('step-0') });
 * ```
 */
export function createBackbone<N extends string>(name: N, options: OptionsFor<N> = {} as OptionsFor<N>, build: BuildOptions = {}): Backbone {
  const config = resolveBackboneConfig(name, options as Readonly<Record<string, unknown>>);
  return getArchitecture(name).build(config, buildContext(build));
}

/**
 * Rebuilds the network a saved `Backbone.config` describes (weights freshly initialised from
 * `build.rng`, or zeros with `shapeOnly`, e.g. before loading a state dict).
 *
 * @example
 * ```ts
 * const copy = backboneFromConfig(original.config, { shapeOnly: true });
 * copy.module.loadStateDict(original.module.stateDict());
 * ```
 */
export function backboneFromConfig(config: Readonly<Record<string, unknown>>, build: BuildOptions): Backbone {
  const name = config.architecture;
  if (typeof name !== 'string') throw new Error('Backbone config has no "architecture" name');
  const def = getArchitecture(name);
  return def.build(def.resolveConfig(config), buildContext(build));
}

/** Parameter counts of a network (buffers such as BN running statistics excluded). */
export interface ParameterCount {
  /** All parameters, frozen ones (IResNet's `features` γ) included. */
  readonly total: number;
  /** Parameters that receive gradients. */
  readonly trainable: number;
}

/**
 * Counts the parameters of architecture `name` with `options` by building it in shape-only mode
 * (the same constructors, zero weights, no random draws) and disposing it.
 *
 * @example
 * ```ts
 * countParameters('iresnet100').total; // 65_156_160
 * ```
 */
export function countParameters(name: string, options: Readonly<Record<string, unknown>> = {}): ParameterCount {
  const backbone = createBackbone(name, options, { shapeOnly: true });
  try {
    return { total: backbone.module.parameterCount(), trainable: backbone.module.parameterCount(true) };
  } finally {
    backbone.module.dispose();
  }
}
