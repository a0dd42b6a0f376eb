import { tf } from '../tf.js';
import type { Backbone, BackboneOutput } from '../contract/backbone.js';
import { BatchNorm } from '../nn/batch-norm.js';
import { Conv2d } from '../nn/conv2d.js';
import { init } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module, type ForwardContext } from '../nn/module.js';
import { PReLU } from '../nn/prelu.js';
import { Rng } from '../random/rng.js';

export interface TinyBackboneOptions {
  /** Square input side (default 16). */
  inputSize?: number;
  /** Default 16. */
  embeddingSize?: number;
  /** Channels of the two conv layers (default 8). */
  width?: number;
  seed?: number;
  /**
   * Extra auxiliary outputs to expose for plugin tests: `tokens` `(B, T, width)` (the last feature
   * map's cells as tokens), `patchWeights` `(B, T)` (softmax of each token's mean).
   */
  aux?: readonly ('tokens' | 'patchWeights')[];
}

class TinyNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly act1: PReLU;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;
  readonly act2: PReLU;
  readonly fc: Linear;
  readonly features: BatchNorm;

  constructor(readonly size: number, readonly width: number, embeddingSize: number, rng: Rng) {
    super();
    const ctx = { rng };
    this.conv1 = this.child('conv1', new Conv2d(ctx, { inChannels: 3, outChannels: width, kernelSize: 3, stride: 2, padding: 1, init: init.normal(0.1) }));
    this.bn1 = this.child('bn1', new BatchNorm({ channels: width }));
    this.act1 = this.child('act1', new PReLU(width));
    this.conv2 = this.child('conv2', new Conv2d(ctx, { inChannels: width, outChannels: width, kernelSize: 3, stride: 2, padding: 1, init: init.normal(0.1) }));
    this.bn2 = this.child('bn2', new BatchNorm({ channels: width }));
    this.act2 = this.child('act2', new PReLU(width));
    const cells = Math.ceil(size / 4) ** 2;
    this.fc = this.child('fc', new Linear(ctx, { inFeatures: cells * width, outFeatures: embeddingSize }));
    this.features = this.child('features', new BatchNorm({ channels: embeddingSize, gammaTrainable: false }));
  }
}

/**
 * A small conv backbone (conv-BN-PReLU ×2 → FC → BN1d, IResNet-style head) for tests of plugins
 * and of the trainer: trains in seconds on any backend, optionally with auxiliary outputs.
 */
export function tinyBackbone(options: TinyBackboneOptions = {}): Backbone {
  const inputSize = options.inputSize ?? 16;
  const embeddingSize = options.embeddingSize ?? 16;
  const width = options.width ?? 8;
  const aux = [...(options.aux ?? [])];
  const net = new TinyNet(inputSize, width, embeddingSize, Rng.fromSeed(options.seed ?? 1).fork('tiny-backbone'));
  return {
    name: 'tiny',
    config: { architecture: 'tiny', inputSize, embeddingSize, width, aux },
    preprocessing: { inputSize, colorOrder: 'rgb', normalization: 'minus1to1', embeddingNormalization: 'l2' },
    embeddingSize,
    auxOutputs: aux,
    module: net,
    forward(input: tf.Tensor4D, ctx: ForwardContext): BackboneOutput {
      return tf.tidy(() => {
        const training = ctx.training;
        let x = net.act1.forward(net.bn1.forward(net.conv1.forward(input), { training }));
        x = net.act2.forward(net.bn2.forward(net.conv2.forward(x), { training }));
        const [b, h, w, c] = x.shape;
        const tokens = tf.reshape(x, [b, h * w, c]);
        const embedding = net.features.forward(net.fc.forward(tf.reshape(x, [b, h * w * c])), { training }) as tf.Tensor2D;
        const out: Record<string, tf.Tensor> = {};
        if (aux.includes('tokens')) out.tokens = tokens;
        if (aux.includes('patchWeights')) out.patchWeights = tf.softmax(tf.mean(tokens, -1));
        return { embedding, aux: out };
      });
    },
  };
}
