/**
 * Work counts for the GFLOP/s columns: forward multiply-accumulates of a backbone, read from the
 * layer shapes of one profiled forward pass (every Conv2D, depthwise conv and MatMul kernel the
 * network runs), and the training-step convention FLOPs ≈ 3 × 2 × forward MACs (forward, and a
 * backward pass costing twice the forward: input and weight gradients).
 */
import { tf, Rng, type Backbone } from '@fr/core';

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** MACs of the kernels in a `tf.profile` record (kernels other than conv/matmul count 0). */
export function kernelMacs(kernels: readonly { name: string; inputShapes: readonly (readonly number[] | undefined)[]; outputShapes: readonly (readonly number[] | undefined)[] }[]): number {
  let macs = 0;
  for (const k of kernels) {
    const out = k.outputShapes[0];
    if (!out) continue;
    const size = numel(out);
    switch (k.name) {
      case 'Conv2D':
      case 'FusedConv2D': {
        const f = k.inputShapes[1] as readonly number[]; // [kh, kw, in, out]
        macs += size * (f[0] as number) * (f[1] as number) * (f[2] as number);
        break;
      }
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2D': {
        const f = k.inputShapes[1] as readonly number[]; // [kh, kw, C, multiplier]
        macs += size * (f[0] as number) * (f[1] as number);
        break;
      }
      case 'BatchMatMul':
      case '_FusedMatMul': {
        // out (…, M, N) = A (…, M, K) · B (…, K, N), either side possibly transposed: K = |A| / (|out| / N).
        const a = k.inputShapes[0] as readonly number[];
        const n = out[out.length - 1] as number;
        macs += size * (numel(a) / (size / n));
        break;
      }
      default:
    }
  }
  return macs;
}

/**
 * Forward MACs per image of `backbone` at its input size, from one profiled evaluation-mode
 * forward pass of a single image (Conv2d, depthwise and Linear layers; BN, PReLU, additions and
 * pooling are not counted — the usual convention, and what `forward_macs` in
 * `python/fr_torch_nets.py` counts for the torch twin).
 */
export async function forwardMacsPerImage(backbone: Backbone): Promise<number> {
  const size = backbone.preprocessing.inputSize;
  const x = tf.zeros([1, size, size, 3]) as tf.Tensor4D;
  try {
    const info = await tf.profile(() => tf.tidy(() => backbone.forward(x, { training: false, rng: Rng.fromSeed(0) }).embedding));
    (info.result as tf.Tensor).dispose();
    return kernelMacs(info.kernels as never);
  } finally {
    x.dispose();
  }
}

/** FLOPs of one training step: 3 × 2 × (batch × backbone MACs + batch × classes × d for the cosine layer). */
export function trainStepFlops(macsPerImage: number, batch: number, classes: number, embeddingSize: number): number {
  return 6 * batch * (macsPerImage + classes * embeddingSize);
}
