/**
 * Parameter initialisers, drawn from an {@link Rng} so that a seed fixes every initial weight on
 * every backend (tfjs' own random ops are seeded per call, not per run).
 */
import { tf } from '../tf.js';
import type { Rng } from '../random/rng.js';

/** Fan-in and fan-out of a weight shape in tfjs layout (conv `[kh,kw,in,out]`, dense `[in,out]`). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 2) return { fanIn: shape[0] as number, fanOut: shape[1] as number };
  if (shape.length === 4) {
    const receptive = (shape[0] as number) * (shape[1] as number);
    return { fanIn: receptive * (shape[2] as number), fanOut: receptive * (shape[3] as number) };
  }
  const n = shape.reduce((a, b) => a * b, 1);
  return { fanIn: n, fanOut: n };
}

/** Makes the initial value of a parameter of `shape`. */
export type Initializer = (shape: readonly number[], rng: Rng) => tf.Tensor;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export const init = {
  zeros: (): Initializer => (shape) => tf.zeros(shape as number[]),
  ones: (): Initializer => (shape) => tf.ones(shape as number[]),
  constant: (value: number): Initializer => (shape) => tf.fill(shape as number[], value),
  /** N(mean, std²). IResNet convs use N(0, 0.1); Partial FC centres N(0, 0.01). */
  normal: (std: number, mean = 0): Initializer => (shape, rng) =>
    tf.tensor(rng.fillNormal(new Float32Array(size(shape)), mean, std), shape as number[]),
  /**
   * Normal N(0, std²) redrawn outside [low, high] — timm's `trunc_normal_(std=.02)`, whose bounds
   * are absolute (±2), not ±2 std: at std 0.02 it is effectively a plain normal.
   */
  truncNormal: (std: number, low = -2, high = 2): Initializer => (shape, rng) => {
    const out = new Float32Array(size(shape));
    for (let i = 0; i < out.length; i++) {
      let v: number;
      do v = rng.normal(0, std); while (v < low || v > high);
      out[i] = v;
    }
    return tf.tensor(out, shape as number[]);
  },
  /** U(-b, b): b = gain·sqrt(3/fanIn). `gain = 1/sqrt(3)` gives PyTorch's default Linear/Conv init. */
  kaimingUniform: (gain = 1 / Math.sqrt(3)): Initializer => (shape, rng) => {
    const bound = gain * Math.sqrt(3 / fans(shape).fanIn);
    return tf.tensor(rng.fillUniform(new Float32Array(size(shape)), -bound, bound), shape as number[]);
  },
  /** Glorot/Xavier uniform (BoundaryFace centres). */
  xavierUniform: (): Initializer => (shape, rng) => {
    const { fanIn, fanOut } = shape.length === 2 ? { fanIn: shape[1] as number, fanOut: shape[0] as number } : fans(shape);
    const bound = Math.sqrt(6 / (fanIn + fanOut));
    return tf.tensor(rng.fillUniform(new Float32Array(size(shape)), -bound, bound), shape as number[]);
  },
  /** U(low, high). */
  uniform: (low: number, high: number): Initializer => (shape, rng) =>
    tf.tensor(rng.fillUniform(new Float32Array(size(shape)), low, high), shape as number[]),
};
