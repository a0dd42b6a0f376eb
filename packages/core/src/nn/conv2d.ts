import { tf } from '../tf.js';
import { Module, type InitContext } from './module.js';
import { init as inits, type Initializer } from './init.js';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number | [number, number];
  stride?: number;
  /** PyTorch-style symmetric zero padding in pixels, or tfjs' 'same' / 'valid'. Default 0. */
  padding?: number | 'same' | 'valid';
  bias?: boolean;
  /** Default: PyTorch's Kaiming-uniform. */
  init?: Initializer;
}

/** 2-D convolution over NHWC input; weight `[kh, kw, in, out]`. */
export class Conv2d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  private readonly stride: number;
  private readonly pad: number | 'same' | 'valid';

  constructor(ctx: InitContext, readonly options: Conv2dOptions) {
    super();
    const [kh, kw] = typeof options.kernelSize === 'number' ? [options.kernelSize, options.kernelSize] : options.kernelSize;
    const shape = [kh, kw, options.inChannels, options.outChannels];
    this.weight = this.param('weight', (options.init ?? inits.kaimingUniform())(shape, ctx.rng));
    // PyTorch's default bias init: U(±1/sqrt(fan_in)).
    const bound = 1 / Math.sqrt(kh * kw * options.inChannels);
    this.bias = options.bias ? this.param('bias', inits.uniform(-bound, bound)([options.outChannels], ctx.rng)) : null;
    this.stride = options.stride ?? 1;
    this.pad = options.padding ?? 0;
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const y = tf.conv2d(x, this.weight as tf.Tensor4D, this.stride, this.pad);
    return this.bias ? tf.add(y, this.bias) : y;
  }
}
