import { tf } from '../tf.js';
import { Module } from './module.js';

/** Per-channel PReLU over the last axis (PyTorch `nn.PReLU(C)`, slope initialised to 0.25). */
export class PReLU extends Module {
  readonly alpha: tf.Variable;

  constructor(channels: number, initialSlope = 0.25) {
    super();
    this.alpha = this.param('alpha', tf.fill([channels], initialSlope));
  }

  forward<T extends tf.Tensor>(x: T): T {
    return tf.prelu(x, this.alpha as tf.Tensor) as T;
  }
}
