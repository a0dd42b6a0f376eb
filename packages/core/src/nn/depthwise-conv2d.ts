import { tf } from '../tf.js';
import { Module, type InitContext } from './module.js';
import { init as inits, type Initializer } from './init.js';

export interface DepthwiseConv2dOptions {
  channels: number;
  kernelSize: number;
  stride?: number;
  /** Symmetric zero padding in pixels, or 'same' / 'valid'. Default 0. */
  padding?: number | 'same' | 'valid';
  init?: Initializer;
}

/** Depthwise (groups = channels) convolution over NHWC input; weight `[k, k, C, 1]`. */
export class DepthwiseConv2d extends Module {
  readonly weight: tf.Variable;
  private readonly stride: number;
  private readonly pad: number | 'same' | 'valid';

  constructor(ctx: InitContext, readonly options: DepthwiseConv2dOptions) {
    super();
    const k = options.kernelSize;
    // PyTorch's fan-in for a grouped conv is k·k·(in/groups) = k·k.
    const initializer = options.init ?? inits.uniform(-1 / k, 1 / k);
    this.weight = this.param('weight', initializer([k, k, options.channels, 1], ctx.rng));
    this.stride = options.stride ?? 1;
    this.pad = options.padding ?? 0;
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.depthwiseConv2d(x, this.weight as tf.Tensor4D, this.stride, this.pad);
  }
}
