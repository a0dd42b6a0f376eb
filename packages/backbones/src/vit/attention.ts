import { tf, Linear, Module, type Initializer } from '@fr/core';
import type { BuildContext } from '../layers/index.js';

export interface AttentionOptions {
  dim: number;
  heads: number;
  /** Bias on the fused q/k/v projection (arcface_torch ViT: false). */
  qkvBias?: boolean;
  /** Weight initialiser of both projections. */
  init: Initializer;
  biasInit: Initializer;
}

/**
 * Multi-head self-attention over `(B, L, D)` tokens (timm / arcface_torch `Attention`): fused qkv
 * projection, softmax(q·kᵀ · head_dim^−½)·v per head, output projection with bias. The fused
 * weight's columns are [q | k | v], each split into heads in order, as PyTorch's reshape does.
 * Generic: a candidate for `@fr/core/nn`.
 */
export class MultiHeadSelfAttention extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly scale: number;
  private readonly heads: number;

  constructor(ctx: BuildContext, options: AttentionOptions) {
    super();
    const { dim, heads } = options;
    if (dim % heads !== 0) throw new Error(`attention: dim ${dim} is not divisible by ${heads} heads`);
    this.heads = heads;
    this.scale = (dim / heads) ** -0.5;
    this.qkv = this.child('qkv', new Linear(ctx, { inFeatures: dim, outFeatures: 3 * dim, bias: options.qkvBias ?? false, init: options.init, biasInit: options.biasInit }));
    this.proj = this.child('proj', new Linear(ctx, { inFeatures: dim, outFeatures: dim, init: options.init, biasInit: options.biasInit }));
  }

  forward(x: tf.Tensor3D): tf.Tensor3D {
    const [b, l, d] = x.shape;
    const h = this.heads;
    // (B, L, D) → (B, H, L, D/H)
    const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [b, l, h, d / h]), [0, 2, 1, 3]) as tf.Tensor4D;
    const [q, k, v] = tf.split(this.qkv.forward(x), 3, 2).map(split) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const attn = tf.softmax(tf.mul(tf.matMul(q, k, false, true), this.scale));
    const out = tf.reshape(tf.transpose(tf.matMul(attn, v), [0, 2, 1, 3]), [b, l, d]) as tf.Tensor3D;
    return this.proj.forward(out);
  }
}
