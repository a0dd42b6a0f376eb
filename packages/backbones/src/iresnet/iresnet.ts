import { tf, BatchNorm, Conv2d, Linear, Module, PReLU, dropout, init, type BackboneOutput, type ForwardContext } from '@fr/core';
import { ModuleList, convOutputSize, scaleChannels, weightInit, type BuildContext } from '../layers/index.js';
import { ModuleBackbone, type BackboneModule } from '../backbone.js';
import { commonFields, type BackboneConfig, type CommonOptions } from '../config.js';
import { parseOptions, type FieldSpecs } from '../options.js';
import type { ArchitectureDefinition } from '../architecture.js';
import { IBasicBlock, conv3x3 } from './basic-block.js';

/** Blocks per stage of each preset (arcface_torch `iresnet.py`). */
export const IRESNET_LAYERS = {
  iresnet18: [2, 2, 2, 2],
  iresnet34: [3, 4, 6, 3],
  iresnet50: [3, 4, 14, 3],
  iresnet100: [3, 13, 30, 3],
  iresnet200: [6, 26, 60, 6],
} as const satisfies Record<string, readonly [number, number, number, number]>;

export type IResNetName = keyof typeof IRESNET_LAYERS;

/** IResNet's own options. */
export interface IResNetFields {
  /** Blocks in each of the four stages. */
  readonly layers: readonly [number, number, number, number];
  /** Channel multiplier: 1 → planes 64,128,256,512; 1/4 → 16,32,64,128. */
  readonly widthMultiplier: number;
  /** Dropout before the `fc` layer in training (arcface_torch default 0). */
  readonly dropout: number;
  /** Learn the `features` BN1d γ (TopoFR); arcface_torch freezes it at 1 (default false). */
  readonly featuresGammaTrainable: boolean;
}

/** Fully resolved IResNet config (what `Backbone.config` holds and model files store). */
export interface IResNetConfig extends BackboneConfig, IResNetFields {}

/** Options accepted by `createBackbone('iresnetNN', options)`; every field has a default. */
export type IResNetOptions = Partial<CommonOptions & IResNetFields>;

function fieldsFor(name: IResNetName): FieldSpecs {
  return {
    ...commonFields(name, { inputSize: 112, embeddingSize: 512 }),
    layers: { type: 'ints', default: IRESNET_LAYERS[name], min: [1, 1, 1, 1] },
    widthMultiplier: { type: 'number', default: 1, min: 0, minExclusive: true, max: 8 },
    dropout: { type: 'number', default: 0, min: 0, max: 1, maxExclusive: true },
    featuresGammaTrainable: { type: 'boolean', default: false },
  };
}

/** Spatial side after the stem (stride 1) and the four stride-2 stages: 112 → 7, 64 → 4, 56 → 4. */
export function iresnetFinalSize(inputSize: number): number {
  let s = inputSize;
  for (let i = 0; i < 4; i++) s = convOutputSize(s, 3, 2, 1);
  return s;
}

/**
 * IResNet (arcface_torch `iresnet.py`, spec §1.7), NHWC: stem conv3×3(3→64, s1, p1) → BN → PReLU
 * (no max-pool) → four stages of {@link IBasicBlock} with planes 64/128/256/512, each starting
 * with stride 2 → BN2d → flatten (in PyTorch's NCHW order, so imported `fc` weights line up) →
 * dropout → Linear(512·7·7 → 512) → BN1d `features` (γ frozen at 1 unless
 * `featuresGammaTrainable`). Parameter names mirror the PyTorch state dict (`layer1.0.bn1.gamma`).
 *
 * @example
 * ```ts
 * const r50 = createBackbone('iresnet50', {}, { rng });                     // the usual way
 * const topofr = createBackbone('iresnet100', { featuresGammaTrainable: true }, { rng });
 * const cpuDemo = createBackbone('iresnet18', { inputSize: 64, widthMultiplier: 0.25 }, { rng });
 * ```
 */
export class IResNet extends Module implements BackboneModule {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly prelu: PReLU;
  readonly stages: readonly ModuleList<IBasicBlock>[];
  readonly bn2: BatchNorm;
  readonly fc: Linear;
  readonly features: BatchNorm;

  constructor(ctx: BuildContext, readonly config: IResNetConfig) {
    super();
    const planes = [64, 128, 256, 512].map((c) => scaleChannels(c, config.widthMultiplier));
    const stem = planes[0] as number;
    this.conv1 = this.child('conv1', conv3x3(ctx, 3, stem));
    this.bn1 = this.child('bn1', new BatchNorm({ channels: stem, eps: 1e-5 }));
    this.prelu = this.child('prelu', new PReLU(stem));
    let inplanes = stem;
    this.stages = config.layers.map((blocks, i) => {
      const p = planes[i] as number;
      const list: IBasicBlock[] = [];
      for (let j = 0; j < blocks; j++) {
        list.push(new IBasicBlock(ctx, inplanes, p, j === 0 ? 2 : 1));
        inplanes = p;
      }
      return this.child(`layer${i + 1}`, new ModuleList(list));
    });
    const last = planes[3] as number;
    const side = iresnetFinalSize(config.inputSize);
    if (side < 1) throw new Error(`iresnet: inputSize ${config.inputSize} is too small`);
    this.bn2 = this.child('bn2', new BatchNorm({ channels: last, eps: 1e-5 }));
    const inFeatures = last * side * side;
    const bound = 1 / Math.sqrt(inFeatures);
    // Linear keeps PyTorch's default init: Kaiming-uniform weight, U(±1/√in) bias.
    this.fc = this.child('fc', new Linear(ctx, {
      inFeatures,
      outFeatures: config.embeddingSize,
      init: weightInit(ctx, init.kaimingUniform()),
      biasInit: weightInit(ctx, init.uniform(-bound, bound)),
    }));
    this.features = this.child('features', new BatchNorm({ channels: config.embeddingSize, eps: 1e-5, gammaTrainable: config.featuresGammaTrainable }));
  }

  forward(input: tf.Tensor4D, ctx: ForwardContext): BackboneOutput {
    let x = this.bn1.forward(this.conv1.forward(input), ctx, { activation: this.prelu });
    for (const stage of this.stages) for (const block of stage.items) x = block.forward(x, ctx);
    x = this.bn2.forward(x, ctx);
    const flat = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [x.shape[0], -1]) as tf.Tensor2D;
    const fc = this.fc.forward(dropout(flat, this.config.dropout, ctx));
    return { embedding: this.features.forward(fc, ctx), aux: {} };
  }
}

function definition(name: IResNetName): ArchitectureDefinition<IResNetConfig> {
  const fields = fieldsFor(name);
  const layers = IRESNET_LAYERS[name];
  return {
    name,
    family: 'iresnet',
    description: `IResNet-${name.slice(7)} (arcface_torch), blocks [${layers.join(', ')}]`,
    resolveConfig: (options) => parseOptions<IResNetConfig>(name, fields, options),
    build: (config, ctx) => new ModuleBackbone(config, new IResNet(ctx, config)),
  };
}

/** The five IResNet presets. */
export const iresnetArchitectures = (): ArchitectureDefinition<IResNetConfig>[] =>
  (Object.keys(IRESNET_LAYERS) as IResNetName[]).map(definition);
