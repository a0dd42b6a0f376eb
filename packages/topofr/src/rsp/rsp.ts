/**
 * RSP (PTSA-1), the official `train.py` loop: each sample is perturbed with probability 0.2 by one
 * of four ops chosen uniformly. {@link drawRsp} makes the random choices; {@link rsp} applies them
 * (pure: tests inject the draws).
 */
import { tf, type Rng } from '@fr/core';
import { colorJitter, eraseBox, gaussianBlur, grayscale, type ColorJitterDraw, type EraseBox } from './ops.js';

/** The random choices for one sample. `op`: 0 GaussianBlur, 1 Grayscale, 2 ColorJitter, 3 RandomErasing. */
export type RspDraw =
  | { readonly perturbed: false }
  | { readonly perturbed: true; readonly op: 0; readonly sigma: number }
  | { readonly perturbed: true; readonly op: 1 }
  | ({ readonly perturbed: true; readonly op: 2 } & ColorJitterDraw)
  /** `box` null: none of the 10 attempts fitted, nothing is erased. */
  | { readonly perturbed: true; readonly op: 3; readonly box: EraseBox | null };

/**
 * What RandomErasing does to the clean batch:
 * - `fixed` (default, recommended) — nothing: ISA sees the un-perturbed batch;
 * - `official` — the released code erases in place on a view of the original batch, so the samples
 *   erased for the backbone are erased in the "clean" batch too (ops 0–2 never leak).
 */
export type ErasingLeak = 'fixed' | 'official';

export interface RspOptions {
  /** The batch ISA sees (default `img`). */
  readonly clean?: tf.Tensor4D;
  /** Default `fixed`. */
  readonly erasingLeak?: ErasingLeak;
}

export interface RspResult {
  /** The backbone input. */
  readonly imgAug: tf.Tensor4D;
  /** The "clean" batch for ISA. */
  readonly imgClean: tf.Tensor4D;
}

/** Python's `round` (half to even), as `int(round(x))` in timm. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * timm `RandomErasing(probability=1, mode='const')`'s box for an `height`×`width` image: up to 10
 * attempts of area ~ U(0.02, 1/3)·H·W and log-uniform aspect ratio in [0.3, 1/0.3]; h, w rounded
 * half to even; the first box with h < H and w < W is placed at inclusive random (top, left).
 * Returns null when no attempt fits.
 */
export function drawErasingBox(rng: Pick<Rng, 'uniform' | 'int'>, height: number, width: number): EraseBox | null {
  const area = height * width;
  const logLow = Math.log(0.3);
  const logHigh = Math.log(1 / 0.3);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = rng.uniform(0.02, 1 / 3) * area;
    const aspect = Math.exp(rng.uniform(logLow, logHigh));
    const h = roundHalfEven(Math.sqrt(target * aspect));
    const w = roundHalfEven(Math.sqrt(target / aspect));
    if (w < width && h < height) {
      // random.randint(a, b) is inclusive of b.
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { h, w, top, left };
    }
  }
  return null;
}

/**
 * The official loop's random choices for a batch, drawn from one stream in this order per sample:
 * u ~ U[0, 1) (perturbed iff u ≤ probability, note ≤), the op ~ {0, 1, 2, 3}, then the op's draws:
 * σ ~ U(0.1, 5) (blur); a permutation of the four jitter ops and brightness ~ U(0.1, 0.5),
 * contrast ~ U(0.3, 0.6), saturation ~ U(0.2, 0.5), hue ~ U(−0.1, 0.3) (jitter); the erasing box.
 */
export function drawRsp(rng: Pick<Rng, 'next' | 'uniform' | 'int' | 'permutation'>, batchSize: number, height: number, width: number, probability = 0.2): RspDraw[] {
  const draws: RspDraw[] = [];
  for (let i = 0; i < batchSize; i++) {
    const u = rng.next();
    if (!(probability > 0 && u <= probability)) {
      draws.push({ perturbed: false });
      continue;
    }
    const op = rng.int(4);
    if (op === 0) draws.push({ perturbed: true, op: 0, sigma: rng.uniform(0.1, 5) });
    else if (op === 1) draws.push({ perturbed: true, op: 1 });
    else if (op === 2) {
      const perm = Array.from(rng.permutation(4));
      const brightness = rng.uniform(0.1, 0.5);
      const contrast = rng.uniform(0.3, 0.6);
      const saturation = rng.uniform(0.2, 0.5);
      const hue = rng.uniform(-0.1, 0.3);
      draws.push({ perturbed: true, op: 2, perm, brightness, contrast, saturation, hue });
    } else {
      draws.push({ perturbed: true, op: 3, box: drawErasingBox(rng, height, width) });
    }
  }
  return draws;
}

/** x·0.5 + 0.5 → f → (· − 0.5)/0.5: ops 0–2 work on [0, 1] values. */
function inUnitRange(x: tf.Tensor3D, f: (y: tf.Tensor3D) => tf.Tensor3D): tf.Tensor3D {
  return tf.div(tf.sub(f(tf.add(tf.mul(x, 0.5), 0.5) as tf.Tensor3D), 0.5), 0.5) as tf.Tensor3D;
}

/**
 * Applies RSP draws to a batch `img` `(B, H, W, 3)` NHWC, normalised to [−1, 1] (the library's
 * layout; the official code is NCHW, which changes nothing here). Samples not perturbed are
 * copied unchanged. Pure: the same draws give the same result on any backend.
 * @example
 * ```ts
 * const { imgAug, imgClean } = rsp(batch, drawRsp(rng, b, h, w), { erasingLeak: 'official' });
 * ```
 */
export function rsp(img: tf.Tensor4D, draws: readonly RspDraw[], options: RspOptions = {}): RspResult {
  const clean = options.clean ?? img;
  const leak = (options.erasingLeak ?? 'fixed') === 'official';
  const [b, , , c] = img.shape;
  if (draws.length !== b) throw new Error(`rsp: ${draws.length} draws for a batch of ${b}`);
  if (c !== 3) throw new Error(`rsp: images must be NHWC with 3 channels, got shape [${img.shape}]`);
  if (!tf.util.arraysEqual(clean.shape, img.shape)) throw new Error(`rsp: clean batch shape [${clean.shape}] differs from [${img.shape}]`);
  if (!draws.some((d) => d.perturbed)) return { imgAug: img, imgClean: clean };
  return tf.tidy(() => {
    const rows = tf.unstack(img) as tf.Tensor3D[];
    const leaks = leak && draws.some((d) => d.perturbed && d.op === 3 && d.box !== null);
    const cleanRows = leaks ? (tf.unstack(clean) as tf.Tensor3D[]) : null;
    draws.forEach((d, i) => {
      if (!d.perturbed) return;
      const x = rows[i] as tf.Tensor3D;
      if (d.op === 0) rows[i] = inUnitRange(x, (y) => gaussianBlur(y, d.sigma));
      else if (d.op === 1) rows[i] = inUnitRange(x, grayscale);
      else if (d.op === 2) rows[i] = inUnitRange(x, (y) => colorJitter(y, d));
      else if (d.op === 3 && d.box) {
        rows[i] = eraseBox(x, d.box);
        if (cleanRows) cleanRows[i] = eraseBox(cleanRows[i] as tf.Tensor3D, d.box);
      } else if (d.op !== 3) {
        throw new Error(`rsp: unknown op ${String((d as { op: unknown }).op)} for sample ${i}`);
      }
    });
    return { imgAug: tf.stack(rows) as tf.Tensor4D, imgClean: cleanRows ? (tf.stack(cleanRows) as tf.Tensor4D) : clean };
  });
}
