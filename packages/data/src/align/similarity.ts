/**
 * Similarity transforms (rotation, uniform scale, translation) estimated by least squares from
 * point correspondences — the Umeyama (1991) estimate with scaling, as skimage's
 * `SimilarityTransform.estimate` (used by insightface) computes it. In 2-D the similarity
 * `q = [a −b; b a]·p + t` is linear in (a, b, tx, ty), so its least-squares optimum has a closed
 * form that equals Umeyama's SVD solution (reflections excluded).
 */
import type { Point } from './template.js';

/** A 2×3 affine matrix `[a, b, c, d, e, f]`: `(x, y) ↦ (a·x + b·y + c, d·x + e·y + f)`. */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * The least-squares similarity mapping `src[i]` onto `dst[i]` (at least 2 points).
 *
 * @example
 * ```ts
 * const m = estimateSimilarity(detectedLandmarks, ARCFACE_TEMPLATE_112);
 * applyAffine(m, detectedLandmarks[0]); // ≈ [38.29, 51.70]
 * ```
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new Error(`estimateSimilarity needs ≥ 2 matching points, got ${n} and ${dst.length}`);
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    const p = src[i] as Point;
    const q = dst[i] as Point;
    if (![p[0], p[1], q[0], q[1]].every(Number.isFinite)) throw new Error(`estimateSimilarity: point ${i} is not finite`);
    sx += p[0];
    sy += p[1];
    dx += q[0];
    dy += q[1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let norm = 0;
  let dot = 0;
  let cross = 0;
  for (let i = 0; i < n; i++) {
    const px = (src[i] as Point)[0] - sx;
    const py = (src[i] as Point)[1] - sy;
    const qx = (dst[i] as Point)[0] - dx;
    const qy = (dst[i] as Point)[1] - dy;
    norm += px * px + py * py;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
  }
  if (norm < 1e-12) throw new Error('estimateSimilarity: source points are all at the same place');
  const a = dot / norm;
  const b = cross / norm;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

/** Applies `m` to a point. */
export function applyAffine(m: Affine, p: Point): Point {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

/** The inverse transform. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-15) throw new Error('invertAffine: the transform is singular');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Builds the similarity with scale `s`, rotation `theta` (radians, counter-clockwise in x-right/y-down pixels: clockwise on screen) and translation. */
export function similarityMatrix(s: number, theta: number, tx: number, ty: number): Affine {
  const a = s * Math.cos(theta);
  const b = s * Math.sin(theta);
  return [a, -b, tx, b, a, ty];
}
