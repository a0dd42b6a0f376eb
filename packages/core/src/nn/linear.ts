import { tf } from '../tf.js';
import { Module, type InitContext } from './module.js';
import { init as inits, type Initializer } from './init.js';

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
  /** Default: PyTorch's Kaiming-uniform; ViT uses truncNormal(0.02). */
  init?: Initializer;
  /** Bias initialiser. Default: PyTorch's U(±1/sqrt(in)). */
  biasInit?: Initializer;
}

/** Fully connected layer on the last axis; weight `[in, out]`. */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(ctx: InitContext, readonly options: LinearOptions) {
    super();
    const { inFeatures, outFeatures } = options;
    this.weight = this.param('weight', (options.init ?? inits.kaimingUniform())([inFeatures, outFeatures], ctx.rng));
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias = options.bias === false
      ? null
      : this.param('bias', (options.biasInit ?? inits.uniform(-bound, bound))([outFeatures], ctx.rng));
  }

  forward<T extends tf.Tensor>(x: T): T {
    const { inFeatures, outFeatures } = this.options;
    const flat = x.rank === 2 ? (x as unknown as tf.Tensor2D) : tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D;
    let y: tf.Tensor = tf.matMul(flat, this.weight as tf.Tensor2D);
    if (this.bias) y = tf.add(y, this.bias);
    return (x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outFeatures])) as T;
  }
}
