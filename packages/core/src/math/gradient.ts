import { tf } from '../tf.js';

/** Forward value and gradient of a one-input op with a hand-written backward pass. */
export interface UnaryGradient {
  readonly value: tf.Tensor;
  readonly gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor;
}

/**
 * A typed one-input `tf.customGrad`. `save` keeps tensors for the backward pass. Ops inside the
 * forward function are not recorded on the tape; only this node is.
 */
export function unaryCustomGrad(forward: (x: tf.Tensor, save: tf.GradSaveFunc) => UnaryGradient): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
}

/**
 * `fn(x)` treated as a constant by the gradient tape. Use it for masks and conditions built from a
 * differentiated tensor: comparison ops (Greater, LessEqual…) have no gradient in tfjs, and the
 * tape fails on them even when only their (zero) gradient would flow. Ops run inside a custom
 * gradient's forward are not recorded, so only this zero-gradient node is.
 */
export function constantOf<T extends tf.Tensor>(x: tf.Tensor, fn: (value: tf.Tensor) => T): T {
  // The zero gradient has the input's shape (fn may change the shape: a count, a mean…).
  const f = unaryCustomGrad((input) => ({ value: fn(input), gradFunc: () => tf.zerosLike(input) }));
  return f(x) as T;
}

/** The value of `x`, treated as a constant (PyTorch's `.detach()`; tfjs-core has no stop-gradient). */
export function detach<T extends tf.Tensor>(x: T): T {
  return constantOf(x, (value) => tf.clone(value) as T);
}

/**
 * Forward `forward(x)`, backward as if it were `x` (∂out/∂x = 1): the straight-through gradient of
 * current arcface_torch, whose margin runs under `no_grad`.
 */
export function straightThrough<T extends tf.Tensor>(x: T, forward: (x: T) => tf.Tensor): T {
  const f = unaryCustomGrad((input) => ({ value: forward(input as T), gradFunc: (dy) => tf.clone(dy) }));
  return f(x) as T;
}
