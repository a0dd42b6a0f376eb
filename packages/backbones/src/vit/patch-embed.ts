import { tf, Conv2d, Module, init } from '@fr/core';
import { weightInit, type BuildContext } from '../layers/index.js';

/**
 * Conv2d(3 → D, k = s = patch) turned into `(B, g², D)` tokens, g = ⌊input/patch⌋, token index
 * row·g + col as PyTorch's `flatten(2).transpose(1, 2)`. With 112 and patch 9 it covers pixels
 * 0..107 only. Keeps PyTorch's default conv init (the ViT's `_init_weights` skips convs).
 */
export class PatchEmbed extends Module {
  readonly proj: Conv2d;
  readonly grid: number;

  constructor(ctx: BuildContext, inputSize: number, readonly patchSize: number, dim: number) {
    super();
    this.grid = Math.floor(inputSize / patchSize);
    if (this.grid < 1) throw new Error(`patch embed: patch ${patchSize} is larger than the input ${inputSize}`);
    this.proj = this.child('proj', new Conv2d(ctx, {
      inChannels: 3, outChannels: dim, kernelSize: patchSize, stride: patchSize, padding: 0, bias: true,
      init: weightInit(ctx, init.kaimingUniform()),
    }));
  }

  get numPatches(): number {
    return this.grid * this.grid;
  }

  forward(x: tf.Tensor4D): tf.Tensor3D {
    const y = this.proj.forward(x);
    return tf.reshape(y, [y.shape[0], this.numPatches, y.shape[3]]) as tf.Tensor3D;
  }
}
