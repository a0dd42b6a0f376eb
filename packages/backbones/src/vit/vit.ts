import { tf, BatchNorm, LayerNorm, Linear, Module, init, unbiasedStd, type BackboneOutput, type ForwardContext } from '@fr/core';
import { ModuleList, timmTruncNormal, weightInit, type BuildContext } from '../layers/index.js';
import { ModuleBackbone, type BackboneModule } from '../backbone.js';
import { commonFields, type BackboneConfig, type CommonOptions } from '../config.js';
import { parseOptions, type FieldSpecs } from '../options.js';
import type { ArchitectureDefinition } from '../architecture.js';
import { PatchEmbed } from './patch-embed.js';
import { TransformerBlock } from './block.js';
import { SePatchGate } from './se-gate.js';
import { droppedMask, keepTokens, planTokenMasking, restoreTokens, selectionMatrix } from './token-masking.js';

/** The ViT's own options. */
export interface ViTFields {
  /** Patch side (9 on 112 → 12×12 = 144 tokens). */
  readonly patchSize: number;
  /** Token width D. */
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  /** MLP hidden width = ⌊D·mlpRatio⌋ (4). */
  readonly mlpRatio: number;
  /** Stochastic depth of the last block; block i uses i/(depth−1) of it. */
  readonly dropPathRate: number;
  /** Fraction of tokens dropped before the blocks in training (0 disables). */
  readonly maskRatio: number;
  /** TransFace SE patch gate after the final LN (adds aux `patchWeights`). */
  readonly seGate: boolean;
  readonly layerNormEps: number;
}

/** Fully resolved ViT config. */
export interface ViTConfig extends BackboneConfig, ViTFields {}

export type ViTOptions = Partial<CommonOptions & ViTFields>;

interface ViTPreset {
  dim: number;
  depth: number;
  dropPathRate: number;
  maskRatio: number;
  seGate?: boolean;
  description: string;
}

/** arcface_torch `get_model` names (spec §1.8) and the TransFace networks (ViT + SE gate). */
export const VIT_PRESETS: Readonly<Record<string, ViTPreset>> = {
  vit_t: { dim: 256, depth: 12, dropPathRate: 0.1, maskRatio: 0.1, description: 'ViT-T' },
  vit_t_dp005_mask0: { dim: 256, depth: 12, dropPathRate: 0.05, maskRatio: 0, description: 'ViT-T, drop-path 0.05, no masking' },
  vit_s: { dim: 512, depth: 12, dropPathRate: 0.1, maskRatio: 0.1, description: 'ViT-S' },
  vit_s_dp005_mask_0: { dim: 512, depth: 12, dropPathRate: 0.05, maskRatio: 0, description: 'ViT-S, drop-path 0.05, no masking' },
  vit_b: { dim: 512, depth: 24, dropPathRate: 0.1, maskRatio: 0.1, description: 'ViT-B' },
  vit_b_dp005_mask_005: { dim: 512, depth: 24, dropPathRate: 0.05, maskRatio: 0.05, description: 'ViT-B, drop-path 0.05, mask 0.05' },
  vit_l: { dim: 768, depth: 24, dropPathRate: 0.05, maskRatio: 0.05, description: 'ViT-L (= vit_l_dp005_mask_005)' },
  vit_l_dp005_mask_005: { dim: 768, depth: 24, dropPathRate: 0.05, maskRatio: 0.05, description: 'ViT-L, drop-path 0.05, mask 0.05' },
  vit_h: { dim: 1024, depth: 48, dropPathRate: 0.1, maskRatio: 0, description: 'ViT-H' },
  transface_s: { dim: 512, depth: 12, dropPathRate: 0.05, maskRatio: 0, seGate: true, description: 'TransFace-S: vit_s_dp005_mask_0 + SE patch gate' },
  transface_b: { dim: 512, depth: 24, dropPathRate: 0.05, maskRatio: 0.05, seGate: true, description: 'TransFace-B: vit_b_dp005_mask_005 + SE patch gate' },
  transface_l: { dim: 768, depth: 24, dropPathRate: 0.05, maskRatio: 0.05, seGate: true, description: 'TransFace-L: vit_l_dp005_mask_005 + SE patch gate' },
};

function fieldsFor(name: string, preset: ViTPreset): FieldSpecs {
  return {
    ...commonFields(name, { inputSize: 112, embeddingSize: 512 }),
    patchSize: { type: 'int', default: 9, min: 1 },
    dim: { type: 'int', default: preset.dim, min: 1 },
    depth: { type: 'int', default: preset.depth, min: 1 },
    heads: { type: 'int', default: 8, min: 1 },
    mlpRatio: { type: 'number', default: 4, min: 0, minExclusive: true },
    dropPathRate: { type: 'number', default: preset.dropPathRate, min: 0, max: 1, maxExclusive: true },
    maskRatio: { type: 'number', default: preset.maskRatio, min: 0, max: 1, maxExclusive: true },
    seGate: { type: 'boolean', default: preset.seGate ?? false },
    layerNormEps: { type: 'number', default: 1e-5, min: 0, minExclusive: true },
  };
}

function crossChecks(c: Record<string, unknown>): string[] {
  const cfg = c as unknown as ViTConfig;
  const problems: string[] = [];
  if (cfg.dim % cfg.heads !== 0) problems.push(`dim must be divisible by heads (dim ${cfg.dim}, heads ${cfg.heads})`);
  if (cfg.patchSize > cfg.inputSize) problems.push(`patchSize ${cfg.patchSize} must not exceed inputSize ${cfg.inputSize}`);
  const grid = Math.floor(cfg.inputSize / cfg.patchSize);
  if (Math.trunc(grid * grid * (1 - cfg.maskRatio)) < 1) problems.push(`maskRatio ${cfg.maskRatio} keeps no token of ${grid * grid}`);
  return problems;
}

/** `torch.linspace(0, rate, depth)`. */
export function dropPathSchedule(rate: number, depth: number): number[] {
  return Array.from({ length: depth }, (_, i) => (depth === 1 ? 0 : (rate * i) / (depth - 1)));
}

/** Feature head (`feature` Sequential): Linear(L·D → D) → BN1d(eps 2e-5) → Linear(D → E) → BN1d(eps 2e-5). */
export class FeatureHead extends Module {
  readonly fc1: Linear;
  readonly bn1: BatchNorm;
  readonly fc2: Linear;
  readonly bn2: BatchNorm;

  constructor(ctx: BuildContext, inFeatures: number, dim: number, embeddingSize: number) {
    super();
    const w = weightInit(ctx, timmTruncNormal(0.02));
    this.fc1 = this.child('0', new Linear(ctx, { inFeatures, outFeatures: dim, bias: false, init: w }));
    this.bn1 = this.child('1', new BatchNorm({ channels: dim, eps: 2e-5 }));
    this.fc2 = this.child('2', new Linear(ctx, { inFeatures: dim, outFeatures: embeddingSize, bias: false, init: w }));
    this.bn2 = this.child('3', new BatchNorm({ channels: embeddingSize, eps: 2e-5 }));
  }

  forward(x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D {
    return this.bn2.forward(this.fc2.forward(this.bn1.forward(this.fc1.forward(x), ctx)), ctx);
  }
}


/**
 * Vision Transformer for faces (arcface_torch `vit.py`, spec §1.8; TransFace SE gate §3.1), NHWC:
 * patch embed + learned `pos_embed` (no CLS) → [training, maskRatio > 0: keep a random
 * ⌊L(1−r)⌋ tokens] → pre-norm blocks with linearly rising drop-path → LN → [re-insert
 * `mask_token` at dropped positions, unshuffle] → [SE gate: X' = g·X] → feature head on
 * flatten(X'). Aux outputs: `tokens` X' `(B, L, D)`, `patchStd` std over D of X' `(B, L)`, and
 * with the SE gate `patchWeights` = softmax(g) `(B, L)`.
 *
 * @example
 * ```ts
 * const transface = createBackbone('transface_l', {}, { rng });       // vit_l_dp005_mask_005 + SE
 * const { embedding, aux } = transface.forward(x, { training: true, rng: stepRng });
 * aux.patchWeights; // (B, 144): DPAP ranks patches by it
 * const cpuTest = createBackbone('vit_s', { inputSize: 36, dim: 32, depth: 2, heads: 4 }, { rng });
 * ```
 */
export class VisionTransformer extends Module implements BackboneModule {
  readonly patchEmbed: PatchEmbed;
  readonly posEmbed: tf.Variable;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly norm: LayerNorm;
  readonly feature: FeatureHead;
  readonly maskToken: tf.Variable;
  readonly senet: SePatchGate | null;
  readonly numPatches: number;

  constructor(ctx: BuildContext, readonly config: ViTConfig) {
    super();
    const { dim, depth } = config;
    const linearInit = weightInit(ctx, timmTruncNormal(0.02));
    const biasInit = init.zeros();
    this.patchEmbed = this.child('patch_embed', new PatchEmbed(ctx, config.inputSize, config.patchSize, dim));
    const L = this.patchEmbed.numPatches;
    this.numPatches = L;
    this.posEmbed = this.param('pos_embed', weightInit(ctx, timmTruncNormal(0.02))([1, L, dim], ctx.rng));
    const rates = dropPathSchedule(config.dropPathRate, depth);
    this.blocks = this.child('blocks', new ModuleList(rates.map((rate) => new TransformerBlock(ctx, {
      dim, heads: config.heads, mlpHidden: Math.floor(dim * config.mlpRatio), dropPath: rate,
      layerNormEps: config.layerNormEps, init: linearInit, biasInit,
    }))));
    this.norm = this.child('norm', new LayerNorm(dim, config.layerNormEps));
    this.feature = this.child('feature', new FeatureHead(ctx, L * dim, dim, config.embeddingSize));
    this.maskToken = this.param('mask_token', weightInit(ctx, init.normal(0.02))([1, 1, dim], ctx.rng));
    this.senet = config.seGate ? this.child('senet', new SePatchGate(ctx, L, dim)) : null;
  }

  /** Names of the aux outputs this configuration produces. */
  get auxOutputs(): string[] {
    return this.config.seGate ? ['patchWeights', 'tokens', 'patchStd'] : ['tokens', 'patchStd'];
  }

  forward(input: tf.Tensor4D, ctx: ForwardContext): BackboneOutput {
    const batch = input.shape[0];
    const L = this.numPatches;
    let x = tf.add(this.patchEmbed.forward(input), this.posEmbed) as tf.Tensor3D;
    const masking = ctx.training && this.config.maskRatio > 0;
    let selection: tf.Tensor3D | null = null;
    let dropped: tf.Tensor3D | null = null;
    if (masking) {
      const plan = planTokenMasking(batch, L, this.config.maskRatio, ctx.rng);
      selection = selectionMatrix(plan);
      dropped = droppedMask(plan);
      x = keepTokens(x, selection);
    }
    for (const block of this.blocks.items) x = block.forward(x, ctx);
    x = this.norm.forward(x);
    if (selection && dropped) x = restoreTokens(x, selection, dropped, this.maskToken);
    const aux: Record<string, tf.Tensor> = {};
    if (this.senet) {
      const gate = this.senet.forward(x);
      aux.patchWeights = tf.softmax(gate);
      x = tf.mul(tf.expandDims(gate, 2), x);
    }
    aux.tokens = x;
    aux.patchStd = unbiasedStd(x, 2) as tf.Tensor2D;
    const embedding = this.feature.forward(tf.reshape(x, [batch, L * this.config.dim]) as tf.Tensor2D, ctx);
    return { embedding, aux };
  }
}

function definition(name: string, preset: ViTPreset): ArchitectureDefinition<ViTConfig> {
  const fields = fieldsFor(name, preset);
  return {
    name,
    family: 'vit',
    description: preset.description,
    resolveConfig: (options) => parseOptions<ViTConfig>(name, fields, options, crossChecks),
    build: (config, ctx) => {
      const module = new VisionTransformer(ctx, config);
      return new ModuleBackbone(config, module, module.auxOutputs);
    },
  };
}

/** Every ViT / TransFace preset. */
export const vitArchitectures = (): ArchitectureDefinition<ViTConfig>[] =>
  Object.entries(VIT_PRESETS).map(([name, preset]) => definition(name, preset));
