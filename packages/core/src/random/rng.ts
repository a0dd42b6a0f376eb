/**
 * Seeded, serialisable random streams.
 *
 * Every random choice in @fr (data order, augmentations, dropout masks, Partial FC sampling, DPAP
 * donors…) draws from an {@link Rng}. A run's root stream is made from its seed; each consumer gets
 * its own named child stream via {@link Rng.fork}, derived from the *seed and the name* (not from
 * the parent's position), so adding a plugin never shifts another plugin's draws. The whole state
 * is four 32-bit words, saved in checkpoints so a resumed run draws exactly what it would have.
 */

/** The serialisable state of an {@link Rng}: xoshiro128** words plus the derivation key. */
export interface RngState {
  readonly key: string;
  readonly words: readonly [number, number, number, number];
}

/** A source of uniform draws. Tests may pass any object with these methods to inject randomness. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
}

function hashString(s: string): number {
  // FNV-1a, 32-bit: a stable, dependency-free way to turn a stream name into seed material.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** xoshiro128** generator with named, seed-derived child streams. */
export class Rng implements RandomSource {
  private s: [number, number, number, number];

  private constructor(
    /** Derivation key: the seed and the path of stream names, e.g. `"2048/plugin:dpap"`. */
    readonly key: string,
    words: readonly [number, number, number, number],
  ) {
    this.s = [words[0] >>> 0, words[1] >>> 0, words[2] >>> 0, words[3] >>> 0];
  }

  /** A root stream for `seed` (any integer). */
  static fromSeed(seed: number): Rng {
    if (!Number.isFinite(seed)) throw new Error(`Rng seed must be a finite number, got ${seed}`);
    return Rng.fromKey(String(Math.trunc(seed)));
  }

  /** Restores a stream saved with {@link Rng.getState}. */
  static fromState(state: RngState): Rng {
    return new Rng(state.key, state.words);
  }

  private static fromKey(key: string): Rng {
    const mix = splitmix32(hashString(key));
    const words: [number, number, number, number] = [mix(), mix(), mix(), mix()];
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1; // all-zero state is absorbing
    return new Rng(key, words);
  }

  /** An independent stream named `name`, determined by this stream's key only. */
  fork(name: string): Rng {
    return Rng.fromKey(`${this.key}/${name}`);
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    s[0] >>>= 0; s[1] >>>= 0; s[2] >>>= 0; s[3] >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`Rng.int(n) needs a positive integer n, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /**
   * Normal draw (Box–Muller). The sine half is discarded on purpose: caching it would make the
   * stream's state more than its four words and break exact resume.
   */
  normal(mean = 0, std = 1): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A seed for tfjs ops that take one (int32 range). */
  seed(): number {
    return this.nextUint32() & 0x7fffffff;
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i] as number;
      p[i] = p[j] as number;
      p[j] = tmp;
    }
    return p;
  }

  /** Fills a Float32Array with uniform [low, high) draws. */
  fillUniform(out: Float32Array, low = 0, high = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * this.next();
    return out;
  }

  /** Fills a Float32Array with normal draws. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  getState(): RngState {
    return { key: this.key, words: [this.s[0], this.s[1], this.s[2], this.s[3]] };
  }

  setState(state: RngState): void {
    if (state.key !== this.key) {
      throw new Error(`Rng state for stream "${state.key}" cannot be loaded into stream "${this.key}"`);
    }
    this.s = [state.words[0] >>> 0, state.words[1] >>> 0, state.words[2] >>> 0, state.words[3] >>> 0];
  }
}
