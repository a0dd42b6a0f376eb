/**
 * @fr/backbones — face-recognition backbones on tfjs-core: IResNet 18–200 (arcface_torch),
 * MobileFaceNet, ViT for faces with the TransFace SE patch gate; a registry and factory that
 * rebuild a network from its config; tfjs-format save/load carrying the preprocessing contract;
 * embedding helpers. Node file-system IO lives in `@fr/backbones/node`.
 *
 * @example
 * ```ts
 * import { Rng, tf } from '@fr/core';
 * import { createBackbone, embed, saveBackbone } from '@fr/backbones';
 * const backbone = createBackbone('iresnet50', {}, { rng: Rng.fromSeed(1) });
 * const { embedding } = backbone.forward(images, { training: true, rng: Rng.fromSeed(2) });
 * ```
 * @packageDocumentation
 */
export { VERSION } from './version.js';
export type { BackboneConfig, CommonOptions } from './config.js';
export { parseOptions, type FieldSpec, type FieldSpecs } from './options.js';
export { preprocessingOf } from './config.js';
export { ModuleBackbone, type BackboneModule } from './backbone.js';
export { registerArchitecture, getArchitecture, listArchitectures, type ArchitectureDefinition } from './registry.js';
export { createBackbone, backboneFromConfig, resolveBackboneConfig, countParameters, type ParameterCount, type ViTName, type OptionsFor } from './factory.js';
export { buildContext, weightInit, timmTruncNormal, kaimingNormalFanOut, ModuleList, convOutputSize, scaleChannels, type BuildContext, type BuildOptions } from './layers/index.js';
export * from './iresnet/index.js';
export * from './mobilefacenet/index.js';
export * from './vit/index.js';
export * from './io/index.js';
export { preprocessPixels, type PixelImage, type PixelInput, type PreprocessOptions } from './preprocess.js';
export { embed, embedPixels, type EmbedOptions } from './embed.js';
export { torchStateDictLayout, inversePermutation, type TorchLayoutEntry, type TorchDtype, type TorchChildName } from './torch/torch-layout.js';
