import type { tf } from '../tf.js';
import type { ForwardContext, Module } from '../nn/module.js';

/**
 * How images must be prepared for a backbone. Saved with the weights and enforced on load, so a
 * model is never fed pixels it was not trained on.
 */
export interface Preprocessing {
  /** Square input side in pixels, e.g. 112. */
  readonly inputSize: number;
  /** Channel order of the input tensor. */
  readonly colorOrder: 'rgb' | 'bgr';
  /** Pixel normalisation: `x/127.5 − 1` (insightface torch), or `(x − 127.5)/128` (insightface MXNet). */
  readonly normalization: 'minus1to1' | 'mxnet';
  /** Whether consumers should L2-normalise the embedding before comparing (always true for FR). */
  readonly embeddingNormalization: 'l2';
}

/** What a backbone returns: the raw (un-normalised) embedding and any auxiliary outputs it declares. */
export interface BackboneOutput {
  /** `(B, embeddingSize)`, before L2 normalisation. */
  readonly embedding: tf.Tensor2D;
  /** Auxiliary outputs by name, exactly those listed in {@link Backbone.auxOutputs}. */
  readonly aux: Readonly<Record<string, tf.Tensor>>;
}

/**
 * A face embedding network. Its weights live in {@link Backbone.module}; `config` is plain JSON
 * that rebuilds the same architecture (saved in checkpoints and model files).
 */
export interface Backbone {
  /** Architecture name, e.g. `iresnet50`, `mobilefacenet`, `vit_s`. */
  readonly name: string;
  /** JSON that, given to the architecture's factory, rebuilds this network. */
  readonly config: Readonly<Record<string, unknown>> & { readonly inputSize: number; readonly embeddingSize: number };
  readonly preprocessing: Preprocessing;
  readonly embeddingSize: number;
  /**
   * Names of the auxiliary outputs, offered to plugins as capabilities `aux:<name>`
   * (e.g. the TransFace ViT gives `patchWeights` (B,144) and `tokens` (B,144,D)).
   */
  readonly auxOutputs: readonly string[];
  readonly module: Module;
  /** Runs the network on NHWC input normalised as {@link Backbone.preprocessing} says. */
  forward(input: tf.Tensor4D, ctx: ForwardContext): BackboneOutput;
}
