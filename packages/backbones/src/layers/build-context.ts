import { tf, Rng, init, type InitContext, type Initializer } from '@fr/core';

/**
 * What a backbone constructor needs. `shapeOnly` builds every layer through the normal code path
 * but with zero-filled weights and no random draws: used to count parameters of big variants
 * (on the cpu backend zero buffers are lazily committed, so ViT-L costs no real memory) and to
 * allocate a network whose weights are about to be loaded.
 */
export interface BuildContext extends InitContext {
  readonly rng: Rng;
  readonly shapeOnly: boolean;
}

/** Options accepted by the factories: a seeded stream for real initialisation, or `shapeOnly`. */
export interface BuildOptions {
  /** Stream the initial weights are drawn from (default: seed 2048, insightface's, forked by name). */
  readonly rng?: Rng;
  /** Zero weights, no random draws (for counting or before loading weights). */
  readonly shapeOnly?: boolean;
}

export function buildContext(options: BuildOptions): BuildContext {
  if (options.shapeOnly) return { rng: options.rng ?? Rng.fromSeed(0), shapeOnly: true };
  return { rng: options.rng ?? Rng.fromSeed(2048).fork('backbone'), shapeOnly: false };
}

const zeros: Initializer = (shape) => tf.zeros(shape as number[]);

/** `real`, or a zero initialiser in shape-only mode. Every weight of this package goes through it. */
export function weightInit(ctx: BuildContext, real: Initializer): Initializer {
  return ctx.shapeOnly ? zeros : real;
}

/**
 * timm's `trunc_normal_(std)`: N(0, std²) redrawn outside the *absolute* bounds [low, high]
 * (default ±2). With std 0.02 the bounds are 100σ away, so this is effectively a plain normal —
 * unlike core's `init.truncNormal`, which truncates at ±2σ (see the package report).
 */
export function timmTruncNormal(std: number, low = -2, high = 2): Initializer {
  return (shape, rng) => {
    const out = rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, std);
    for (let i = 0; i < out.length; i++) {
      let v = out[i] as number;
      while (v < low || v > high) v = rng.normal(0, std);
      out[i] = v;
    }
    return tf.tensor(out, shape as number[]);
  };
}

/** PyTorch `kaiming_normal_(mode='fan_out', nonlinearity='relu')`: N(0, 2/fanOut), fanOut given explicitly. */
export function kaimingNormalFanOut(fanOut: number): Initializer {
  return init.normal(Math.sqrt(2 / fanOut));
}
