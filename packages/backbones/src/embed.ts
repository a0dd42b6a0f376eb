import { tf, Rng, l2Normalize, type Backbone } from '@fr/core';
import { preprocessPixels, type PixelInput, type PreprocessOptions } from './preprocess.js';

export interface EmbedOptions {
  /**
   * Add the embedding of the horizontally flipped image before normalising (insightface's
   * evaluation protocol). Default false.
   */
  readonly flip?: boolean;
  /** Run at most this many images per forward pass (default: all at once). */
  readonly batchSize?: number;
}

function rawEmbedding(backbone: Backbone, images: tf.Tensor4D, flip: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const ctx = { training: false, rng: Rng.fromSeed(0) }; // evaluation draws nothing
    const e = backbone.forward(images, ctx).embedding;
    return flip ? tf.add(e, backbone.forward(tf.reverse(images, 2), ctx).embedding) : e;
  });
}

/**
 * L2-normalised embeddings `(B, E)` of images already preprocessed as `backbone.preprocessing`
 * says (NHWC float32), computed in evaluation mode (running BN statistics, no dropout/masking).
 *
 * @example
 * ```ts
 * const e = embed(backbone, images);                 // ‖e_i‖ = 1
 * const cos = tf.sum(tf.mul(e.slice(0, 1), e.slice(1, 1)));
 * ```
 */
export function embed(backbone: Backbone, images: tf.Tensor4D, options: EmbedOptions = {}): tf.Tensor2D {
  const n = images.shape[0];
  const size = options.batchSize ?? n;
  if (!(size >= 1)) throw new Error(`batchSize must be ≥ 1, got ${options.batchSize}`);
  return tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < n; start += size) {
      const count = Math.min(size, n - start);
      const chunk = count === n ? images : tf.slice(images, [start, 0, 0, 0], [count, -1, -1, -1]);
      parts.push(rawEmbedding(backbone, chunk, options.flip ?? false));
    }
    return l2Normalize(parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat(parts, 0));
  });
}

/**
 * L2-normalised embeddings of 8-bit RGB(A) pixels: applies the backbone's preprocessing contract
 * (size check, channel order, normalisation) and then {@link embed}.
 *
 * @example
 * ```ts
 * const backbone = await loadBackbone('https://example.com/r50/model.json');
 * const e = embedPixels(backbone, ctx.getImageData(0, 0, 112, 112)); // (1, 512)
 * ```
 */
export function embedPixels(backbone: Backbone, pixels: PixelInput, options: EmbedOptions & PreprocessOptions = {}): tf.Tensor2D {
  return tf.tidy(() => embed(backbone, preprocessPixels(pixels, backbone.preprocessing, options), options));
}
