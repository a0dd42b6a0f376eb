import { tf, Linear, Module, init } from '@fr/core';
import { weightInit, type BuildContext } from '../layers/index.js';

/**
 * TransFace's SE gate over patches (spec §3.1): g = Sigmoid(Linear₂(ReLU(Linear₁(flatten X)))),
 * Linear₁: L·D → L and Linear₂: L → L, both bias-free with PyTorch's default Kaiming-uniform init
 * (TransFace creates them after `_init_weights`). Children `0`/`2` mirror its `senet` Sequential.
 */
export class SePatchGate extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(ctx: BuildContext, tokens: number, dim: number) {
    super();
    const linear = (inFeatures: number, outFeatures: number) =>
      new Linear(ctx, { inFeatures, outFeatures, bias: false, init: weightInit(ctx, init.kaimingUniform()) });
    this.fc1 = this.child('0', linear(tokens * dim, tokens));
    this.fc2 = this.child('2', linear(tokens, tokens));
  }

  /** The gate g `(B, L)` for tokens `(B, L, D)`. */
  forward(x: tf.Tensor3D): tf.Tensor2D {
    const [b, l, d] = x.shape;
    const flat = tf.reshape(x, [b, l * d]) as tf.Tensor2D;
    return tf.sigmoid(this.fc2.forward(tf.relu(this.fc1.forward(flat))));
  }
}
