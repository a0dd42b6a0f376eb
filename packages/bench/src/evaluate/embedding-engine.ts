import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { tf, Rng, type Backbone, type Preprocessing } from '@fr/core';
import { createOnnxEmbedder, onnxModelInfo } from '@fr/interop';

/** Something that embeds preprocessed face images: an @fr backbone on tfjs, or an ONNX model in onnxruntime-node. */
export interface EmbeddingEngine {
  /** The model: architecture name or file name. */
  readonly name: string;
  /** What runs it: the tfjs backend, or `onnxruntime-node`. */
  readonly runtime: string;
  readonly preprocessing: Preprocessing;
  readonly embeddingSize: number;
  /** Raw embeddings `(B, E)` of a normalised NHWC float32 batch (and of its mirror images with `flip`). */
  embed(images: Float32Array, shape: readonly [number, number, number, number], flip: boolean): Promise<{ plain: Float32Array; mirrored: Float32Array | null }>;
  dispose(): Promise<void>;
}

export function isEngine(x: Backbone | EmbeddingEngine): x is EmbeddingEngine {
  return typeof (x as EmbeddingEngine).embed === 'function';
}

/** An @fr backbone in evaluation mode on the current tfjs backend. */
export function backboneEngine(backbone: Backbone): EmbeddingEngine {
  const ctx = { training: false, rng: Rng.fromSeed(0) }; // evaluation draws nothing
  return {
    name: backbone.name,
    runtime: tf.getBackend(),
    preprocessing: backbone.preprocessing,
    embeddingSize: backbone.embeddingSize,
    async embed(images, shape, flip) {
      const outputs = tf.tidy(() => {
        const x = tf.tensor4d(images, [...shape] as [number, number, number, number]);
        const e = backbone.forward(x, ctx).embedding;
        return flip ? [e, backbone.forward(tf.reverse(x, 2) as tf.Tensor4D, ctx).embedding] : [e];
      });
      try {
        const plain = (await (outputs[0] as tf.Tensor).data()) as Float32Array;
        return { plain, mirrored: flip ? ((await (outputs[1] as tf.Tensor).data()) as Float32Array) : null };
      } finally {
        tf.dispose(outputs);
      }
    },
    async dispose() {
      // The caller owns the backbone.
    },
  };
}

/** NHWC → NCHW on the host, optionally mirroring each image (reversing W) on the way. */
export function toNCHW(images: Float32Array, shape: readonly [number, number, number, number], mirror: boolean): Float32Array {
  const [b, h, w, c] = shape;
  const out = new Float32Array(images.length);
  for (let n = 0; n < b; n++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const from = ((n * h + y) * w + (mirror ? w - 1 - x : x)) * c;
        for (let k = 0; k < c; k++) out[((n * c + k) * h + y) * w + x] = images[from + k] as number;
      }
    }
  }
  return out;
}

/**
 * An ONNX model file in onnxruntime-node (an optional peer of @fr/interop), with the
 * preprocessing contract of its metadata (or arcface_torch's convention when it has none).
 */
export async function onnxEngine(file: string, options: { threads?: number } = {}): Promise<EmbeddingEngine & { readonly preprocessingFrom: string }> {
  const bytes = new Uint8Array(await readFile(file));
  const info = onnxModelInfo(bytes, file);
  const session = await createOnnxEmbedder(bytes, { inputSize: info.inputSize, threads: options.threads });
  return {
    name: info.architecture ?? basename(file),
    runtime: 'onnxruntime-node',
    preprocessing: info.preprocessing,
    preprocessingFrom: info.preprocessingFrom,
    embeddingSize: info.embeddingSize,
    async embed(images, shape, flip) {
      const plain = await session.embed(toNCHW(images, shape, false), shape[0]);
      return { plain, mirrored: flip ? await session.embed(toNCHW(images, shape, true), shape[0]) : null };
    },
    dispose: () => session.release(),
  };
}
