/** Five-point face alignment to the ArcFace template, for landmarks from any detector. */
import type { RgbImage } from '../image/types.js';
import { estimateSimilarity, type Affine } from './similarity.js';
import { arcfaceTemplate, type Point } from './template.js';
import { warpAffine } from './warp.js';

/**
 * The similarity that maps five detected landmarks (left eye, right eye, nose, left and right
 * mouth corner, in image pixels) onto the ArcFace template of a `size × size` crop.
 *
 * @example
 * ```ts
 * const m = alignmentTransform(landmarks); // 2×3, image → 112×112 crop
 * applyAffine(m, landmarks[2]);            // ≈ [56.03, 71.74], the template's nose
 * ```
 */
export function alignmentTransform(landmarks: readonly Point[], size = 112): Affine {
  if (landmarks.length !== 5) throw new Error(`face alignment needs 5 landmarks, got ${landmarks.length}`);
  return estimateSimilarity(landmarks, arcfaceTemplate(size));
}

/**
 * Crops and aligns a face as insightface's `norm_crop`: least-squares similarity from the five
 * landmarks to the ArcFace template, then a bilinear warp to `size × size` (default 112).
 *
 * @example
 * ```ts
 * const face = alignFace(decodeImage(bytes), [[120, 140], [180, 138], [150, 175], [126, 210], [176, 208]]);
 * face.width; // 112
 * ```
 */
export function alignFace(image: RgbImage, landmarks: readonly Point[], options: { size?: number; fill?: number } = {}): RgbImage {
  const size = options.size ?? 112;
  return warpAffine(image, alignmentTransform(landmarks, size), size, size, { fill: options.fill ?? 0 });
}
