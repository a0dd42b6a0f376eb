/** The ArcFace five-point landmark template (insightface `face_align.arcface_dst`). */

/** An (x, y) point in pixels. */
export type Point = readonly [number, number];

/**
 * Where insightface aligns the five landmarks in a 112×112 crop: left eye, right eye, nose tip,
 * left and right mouth corners (left/right as seen in the image).
 */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * The template for a `size × size` crop, scaled as insightface's `estimate_norm` does: sizes that
 * are multiples of 112 scale by `size/112`; multiples of 128 scale by `size/128` and shift x by
 * `8·size/128`; any other size scales by `size/112`.
 *
 * @example
 * ```ts
 * arcfaceTemplate(224)[0]; // [76.5892, 103.3926]
 * ```
 */
export function arcfaceTemplate(size = 112): Point[] {
  if (!(size > 0)) throw new Error(`template size must be positive, got ${size}`);
  let ratio = size / 112;
  let dx = 0;
  if (size % 112 !== 0 && size % 128 === 0) {
    ratio = size / 128;
    dx = 8 * ratio;
  }
  return ARCFACE_TEMPLATE_112.map(([x, y]) => [x * ratio + dx, y * ratio] as const);
}
