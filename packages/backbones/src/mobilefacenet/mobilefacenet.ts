import { tf, BatchNorm, Linear, Module, type BackboneOutput, type ForwardContext } from '@fr/core';
import { ModuleList, convOutputSize, kaimingNormalFanOut, scaleChannels, weightInit, type BuildContext } from '../layers/index.js';
import { ModuleBackbone, type BackboneModule } from '../backbone.js';
import { commonFields, type BackboneConfig, type CommonOptions } from '../config.js';
import { parseOptions, type FieldSpecs } from '../options.js';
import type { ArchitectureDefinition } from '../architecture.js';
import { Bottleneck, ConvBlock, LinearBlock, Residual } from './blocks.js';

/** MobileFaceNet's own options. */
export interface MobileFaceNetFields {
  /**
   * insightface's `blocks`: [depthwise conv (1) or that many residual bottlenecks at 64,
   * residual bottlenecks after the first 64-wide stride-2 block, at 128 after the first stride-2
   * block, at 128 after the second]. Default [1, 4, 6, 2] = the paper's 5/1/6/1/2 layout.
   */
  readonly blocks: readonly [number, number, number, number];
  /** Multiplies every channel count, expansions and the 512-wide `conv_sep`/GDC included. */
  readonly widthMultiplier: number;
}

/** Fully resolved MobileFaceNet config. */
export interface MobileFaceNetConfig extends BackboneConfig, MobileFaceNetFields {}

export type MobileFaceNetOptions = Partial<CommonOptions & MobileFaceNetFields>;

const fields: FieldSpecs = {
  ...commonFields('mobilefacenet', { inputSize: 112, embeddingSize: 512 }),
  blocks: { type: 'ints', default: [1, 4, 6, 2], min: [1, 0, 0, 0] },
  widthMultiplier: { type: 'number', default: 1, min: 0, minExclusive: true, max: 8 },
};

/** Spatial side entering the GDC: four stride-2 3×3 convs (112 → 7, 64 → 4). */
export function mobilefacenetFinalSize(inputSize: number): number {
  let s = inputSize;
  for (let i = 0; i < 4; i++) s = convOutputSize(s, 3, 2, 1);
  return s;
}

/** Global depthwise conv head: linear GDConv k×k (+BN) → flatten → Linear(no bias) → BN1d. */
export class GDC extends Module {
  readonly dw: LinearBlock;
  readonly linear: Linear;
  readonly bn: BatchNorm;

  constructor(ctx: BuildContext, channels: number, side: number, embeddingSize: number) {
    super();
    this.dw = this.child('dw', new LinearBlock(ctx, { inChannels: channels, outChannels: channels, kernel: side, depthwise: true }));
    this.linear = this.child('linear', new Linear(ctx, { inFeatures: channels, outFeatures: embeddingSize, bias: false, init: weightInit(ctx, kaimingNormalFanOut(embeddingSize)) }));
    this.bn = this.child('bn', new BatchNorm({ channels: embeddingSize, eps: 1e-5 }));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    const pooled = this.dw.forward(x, ctx);
    const flat = tf.reshape(pooled, [pooled.shape[0], -1]) as tf.Tensor2D;
    return this.bn.forward(this.linear.forward(flat), ctx);
  }
}

/**
 * MobileFaceNet (Chen et al. 2018; insightface `mobilefacenet.py` with scale 1), NHWC, PReLU
 * throughout. At width 1, 112×112 input:
 *
 * | name | operator | out | stride |
 * |---|---|---|---|
 * | layers.0 | conv3×3 + BN + PReLU | 64 | 2 |
 * | layers.1 | depthwise 3×3 + BN + PReLU | 64 | 1 |
 * | layers.2 | bottleneck (1×1 → 128, dw3×3, 1×1 → 64) | 64 | 2 |
 * | layers.3 | 4 × residual bottleneck, expanded 128 | 64 | 1 |
 * | layers.4 | bottleneck, expanded 256 | 128 | 2 |
 * | layers.5 | 6 × residual bottleneck, expanded 256 | 128 | 1 |
 * | layers.6 | bottleneck, expanded 512 | 128 | 2 |
 * | layers.7 | 2 × residual bottleneck, expanded 256 | 128 | 1 |
 * | conv_sep | conv1×1 + BN + PReLU | 512 | 1 |
 * | features | linear GDConv 7×7 + BN → Linear(no bias) → BN1d | E | – |
 *
 * Parameters (buffers excluded): 1,200,512 for E = 512, 1,003,136 for E = 128 (paper: 0.99M).
 * insightface's `mbf` (scale 2, fixed expansion widths) is not this layout.
 *
 * @example
 * ```ts
 * const mfn = createBackbone('mobilefacenet', { embeddingSize: 128 }, { rng });
 * const demo = createBackbone('mobilefacenet', { inputSize: 64, widthMultiplier: 0.5 }, { rng });
 * ```
 */
export class MobileFaceNet extends Module implements BackboneModule {
  readonly layers: ModuleList<ConvBlock | Bottleneck | Residual>;
  readonly convSep: ConvBlock;
  readonly features: GDC;

  constructor(ctx: BuildContext, readonly config: MobileFaceNetConfig) {
    super();
    const c = (n: number) => scaleChannels(n, config.widthMultiplier);
    const [b0, b1, b2, b3] = config.blocks;
    const side = mobilefacenetFinalSize(config.inputSize);
    if (side < 1) throw new Error(`mobilefacenet: inputSize ${config.inputSize} is too small`);
    const layers = [
      new ConvBlock(ctx, { inChannels: 3, outChannels: c(64), kernel: 3, stride: 2, padding: 1 }),
      b0 === 1
        ? new ConvBlock(ctx, { inChannels: c(64), outChannels: c(64), kernel: 3, padding: 1, depthwise: true })
        : new Residual(ctx, c(64), b0, c(128)),
      new Bottleneck(ctx, c(64), c(64), c(128), 2, false),
      new Residual(ctx, c(64), b1, c(128)),
      new Bottleneck(ctx, c(64), c(128), c(256), 2, false),
      new Residual(ctx, c(128), b2, c(256)),
      new Bottleneck(ctx, c(128), c(128), c(512), 2, false),
      new Residual(ctx, c(128), b3, c(256)),
    ];
    this.layers = this.child('layers', new ModuleList<ConvBlock | Bottleneck | Residual>(layers));
    this.convSep = this.child('conv_sep', new ConvBlock(ctx, { inChannels: c(128), outChannels: c(512), kernel: 1 }));
    this.features = this.child('features', new GDC(ctx, c(512), side, config.embeddingSize));
  }

  forward(input: tf.Tensor4D, ctx: ForwardContext): BackboneOutput {
    let x = input;
    for (const layer of this.layers.items) x = layer.forward(x, ctx);
    return { embedding: this.features.forward(this.convSep.forward(x, ctx), ctx), aux: {} };
  }
}

/**
 * insightface's module names (arcface_torch `mobilefacenet.py`): every conv/BN/PReLU sits in a
 * `layers` Sequential, so `layers.0.conv` is `layers.0.layers.0`, a bottleneck's `expand`/`dw`/
 * `project` are its `layers.0/1/2`, a residual stack's blocks are `layers.N`, and the GDC head's
 * `dw`/`linear`/`bn` are `features.layers.0/2/3` (1 is the parameter-free Flatten).
 */
export function mobilefacenetTorchChildName(parent: Module, name: string): string {
  const position = (names: readonly string[]) => `layers.${names.indexOf(name)}`;
  if (parent instanceof LinearBlock && ['conv', 'bn', 'prelu'].includes(name)) return position(['conv', 'bn', 'prelu']);
  if (parent instanceof Bottleneck && ['expand', 'dw', 'project'].includes(name)) return position(['expand', 'dw', 'project']);
  if (parent instanceof Residual) return `layers.${name}`;
  if (parent instanceof GDC && ['dw', 'linear', 'bn'].includes(name)) return position(['dw', '', 'linear', 'bn']);
  return name;
}

export const mobilefacenetArchitectures = (): ArchitectureDefinition<MobileFaceNetConfig>[] => [
  {
    name: 'mobilefacenet',
    family: 'mobilefacenet',
    description: 'MobileFaceNet (insightface scale 1 / paper layout), GDC head',
    resolveConfig: (options) => parseOptions<MobileFaceNetConfig>('mobilefacenet', fields, options),
    build: (config, ctx) => new ModuleBackbone(config, new MobileFaceNet(ctx, config)),
    torchChildName: mobilefacenetTorchChildName,
  },
];
