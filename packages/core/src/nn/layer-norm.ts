import { tf } from '../tf.js';
import { Module } from './module.js';

/** Layer normalisation over the last axis (γ = 1, β = 0 initially). */
export class LayerNorm extends Module {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(readonly dim: number, readonly eps = 1e-5) {
    super();
    this.gamma = this.param('gamma', tf.ones([dim]));
    this.beta = this.param('beta', tf.zeros([dim]));
  }

  forward<T extends tf.Tensor>(x: T): T {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(normed, this.gamma), this.beta) as T;
  }
}
