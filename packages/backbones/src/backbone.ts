import { tf, type Backbone, type BackboneOutput, type ForwardContext, type Module, type Preprocessing } from '@fr/core';
import { preprocessingOf, type BackboneConfig } from './config.js';

/** A module tree whose forward pass produces a {@link BackboneOutput}. */
export interface BackboneModule extends Module {
  forward(input: tf.Tensor4D, ctx: ForwardContext): BackboneOutput;
}

/**
 * The {@link Backbone} every architecture of this package returns: validates the input shape and
 * runs the module inside `tf.tidy` (only the outputs survive; the gradient tape keeps what it
 * needs). `forward` follows `ctx.training`; `module.train()/eval()` only records the mode
 * (loaded backbones come back in eval mode) for trainers to read.
 *
 * @example
 * ```ts
 * const backbone = new ModuleBackbone(config, new IResNet(buildContext({ rng }), config));
 * const { embedding } = backbone.forward(x, { training: false, rng });
 * ```
 */
export class ModuleBackbone<M extends BackboneModule = BackboneModule> implements Backbone {
  readonly name: string;
  readonly preprocessing: Preprocessing;
  readonly embeddingSize: number;

  constructor(
    readonly config: BackboneConfig,
    readonly module: M,
    readonly auxOutputs: readonly string[] = [],
  ) {
    this.name = config.architecture;
    this.preprocessing = preprocessingOf(config);
    this.embeddingSize = config.embeddingSize;
  }

  /**
   * Runs the network. `input` is NHWC `[B, S, S, 3]`, S = `preprocessing.inputSize`, normalised
   * as `preprocessing` says; `ctx.training` switches batch statistics, dropout, drop-path and
   * token masking on. Returns the raw (un-normalised) embedding and the declared aux outputs.
   */
  forward(input: tf.Tensor4D, ctx: ForwardContext): BackboneOutput {
    const s = this.config.inputSize;
    const [b, h, w, c] = input.shape;
    if (input.rank !== 4 || h !== s || w !== s || c !== 3) {
      throw new Error(`${this.name} expects NHWC input [B, ${s}, ${s}, 3], got [${input.shape.join(', ')}]`);
    }
    if (b === 0) throw new Error(`${this.name}: empty batch`);
    if (input.dtype !== 'float32') throw new Error(`${this.name} expects a float32 input (normalised pixels), got ${input.dtype}`);
    // BackboneOutput is a tensor container; the interface just lacks tfjs' index signature.
    return tf.tidy(() => this.module.forward(input, ctx) as unknown as tf.TensorContainer) as unknown as BackboneOutput;
  }
}
