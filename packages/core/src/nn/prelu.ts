import { tf } from '../tf.js';
import { Module } from './module.js';

/**
 * y = max(x, 0) + α·min(x, 0) with a hand-written backward: dx = dy·(α + (1 − α)·step(x)),
 * dα = Σ dy·min(x, 0). tfjs' own PReLU gradient uses Greater + two Selects, which are slow on
 * wasm (a third of a MobileFaceNet step's elementwise time).
 */
function preluWithGradient(x: tf.Tensor, alpha: tf.Tensor): tf.Tensor {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const op = tf.customGrad(((input: tf.Tensor, a: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input, a]);
    return {
      value: tf.prelu(input, a),
      // Inside a tidy: a custom gradient's temporaries would otherwise live until the backward ends.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, as] = saved as [tf.Tensor, tf.Tensor];
          const positive = tf.step(xs);
          const dx = tf.mul(dy, tf.add(as, tf.mul(tf.sub(1, as), positive)));
          // min(x, 0) = x·(1 − step(x)); wasm's Minimum against a scalar is a slow generic loop.
          const dAlpha = tf.sum(tf.mul(tf.mul(dy, xs), tf.sub(1, positive)), axes);
          return [dx, dAlpha];
        }),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(x, alpha);
}

/**
 * Per-channel PReLU over the last axis (PyTorch `nn.PReLU(C)`, slope initialised to 0.25). After a
 * batch norm, pass it to `BatchNorm.forward` as `{ activation }` instead: the two then run fused.
 */
export class PReLU extends Module {
  readonly alpha: tf.Variable;

  constructor(channels: number, initialSlope = 0.25) {
    super();
    this.alpha = this.param('alpha', tf.fill([channels], initialSlope));
  }

  forward<T extends tf.Tensor>(x: T): T {
    return preluWithGradient(x, this.alpha) as T;
  }
}
