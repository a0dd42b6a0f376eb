import { tf, LayerNorm, Module, dropPath, type ForwardContext, type Initializer } from '@fr/core';
import type { BuildContext } from '../layers/index.js';
import { MultiHeadSelfAttention } from './attention.js';
import { Mlp } from './mlp.js';

export interface TransformerBlockOptions {
  dim: number;
  heads: number;
  mlpHidden: number;
  /** Stochastic-depth rate of both residual branches of this block. */
  dropPath: number;
  layerNormEps: number;
  init: Initializer;
  biasInit: Initializer;
}

/** Pre-norm transformer block: x + DropPath(MHSA(LN(x))), then x + DropPath(MLP(LN(x))). */
export class TransformerBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadSelfAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;
  readonly dropPathRate: number;

  constructor(ctx: BuildContext, options: TransformerBlockOptions) {
    super();
    const { dim, init, biasInit } = options;
    this.norm1 = this.child('norm1', new LayerNorm(dim, options.layerNormEps));
    this.attn = this.child('attn', new MultiHeadSelfAttention(ctx, { dim, heads: options.heads, init, biasInit }));
    this.norm2 = this.child('norm2', new LayerNorm(dim, options.layerNormEps));
    this.mlp = this.child('mlp', new Mlp(ctx, dim, options.mlpHidden, init, biasInit));
    this.dropPathRate = options.dropPath;
  }

  forward(x: tf.Tensor3D, ctx: ForwardContext): tf.Tensor3D {
    // PyTorch's DropPath module is called twice: two independent per-sample masks.
    const y = tf.add(x, dropPath(this.attn.forward(this.norm1.forward(x)), this.dropPathRate, ctx)) as tf.Tensor3D;
    return tf.add(y, dropPath(this.mlp.forward(this.norm2.forward(y)), this.dropPathRate, ctx)) as tf.Tensor3D;
  }
}
