import { tf, Linear, Module, type Initializer } from '@fr/core';
import type { BuildContext } from '../layers/index.js';

/** Token MLP D → hidden → D with ReLU6 (arcface_torch's ViT uses ReLU6, not GELU). */
export class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(ctx: BuildContext, dim: number, hidden: number, init: Initializer, biasInit: Initializer) {
    super();
    this.fc1 = this.child('fc1', new Linear(ctx, { inFeatures: dim, outFeatures: hidden, init, biasInit }));
    this.fc2 = this.child('fc2', new Linear(ctx, { inFeatures: hidden, outFeatures: dim, init, biasInit }));
  }

  forward(x: tf.Tensor3D): tf.Tensor3D {
    return this.fc2.forward(tf.relu6(this.fc1.forward(x)));
  }
}
