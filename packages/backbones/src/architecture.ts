import type { Backbone } from '@fr/core';
import type { BackboneConfig } from './config.js';
import type { BuildContext } from './layers/index.js';
import type { TorchChildName } from './torch/torch-layout.js';

/** How to validate a config for, and build, one named architecture. */
export interface ArchitectureDefinition<C extends BackboneConfig = BackboneConfig> {
  /** Registry name, e.g. `iresnet50`. */
  readonly name: string;
  /** Family, e.g. `iresnet`, `mobilefacenet`, `vit`. */
  readonly family: string;
  readonly description: string;
  /** Fills every default and validates; throws a readable error on unknown or bad fields. */
  resolveConfig(options: Readonly<Record<string, unknown>>): C;
  /** Builds the network for a resolved config. */
  build(config: C, ctx: BuildContext): Backbone;
  /**
   * Names of child modules in the reference PyTorch implementation where they differ from
   * ours (used by {@link torchStateDictLayout}; default: the same names).
   */
  readonly torchChildName?: TorchChildName;
}
