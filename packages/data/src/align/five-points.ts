/**
 * From the 68-point iBUG 300-W markup (dlib, face-api.js, most 68-point detectors) to the five
 * points of insightface's ArcFace template.
 *
 * 0-based iBUG indices (the subject's right side appears on the image's left):
 * - 0–16 jaw, 17–21 and 22–26 eyebrows (image left, right), 27–30 nose bridge down to the tip,
 *   31–35 nostrils;
 * - 36–41 the eye on the image's left (36 outer corner, 39 inner corner, 37/38 upper lid,
 *   40/41 lower lid); 42–47 the eye on the image's right (42 inner, 45 outer corner);
 * - 48–59 outer lip contour starting at the left mouth corner (48), the right corner is 54;
 *   60–67 inner lip contour.
 *
 * The template's points are eye centres, nose tip and mouth corners, as RetinaFace (the detector
 * insightface aligns with) predicts them. The eye centre is the mean of the eye's six contour
 * points: corners and lids are placed symmetrically round the eye, so their mean is the centre of
 * the eye opening. The nose tip is point 30 (the end of the bridge line 27–30); 33, the base of
 * the nose between the nostrils, lies a few pixels lower and is not what the template marks.
 */
import type { Point } from './template.js';

/** iBUG-68 indices (0-based) of the landmarks the five points come from. */
export const IBUG68 = {
  leftEye: [36, 37, 38, 39, 40, 41],
  rightEye: [42, 43, 44, 45, 46, 47],
  noseTip: 30,
  leftMouthCorner: 48,
  rightMouthCorner: 54,
} as const;

function mean(points: readonly Point[], indices: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += (points[i] as Point)[0];
    y += (points[i] as Point)[1];
  }
  return [x / indices.length, y / indices.length];
}

/**
 * The five ArcFace points — eye centres (image left, image right), nose tip, mouth corners
 * (image left, image right) — from 68 iBUG landmarks in image pixels.
 *
 * @example
 * ```ts
 * const five = fivePointsFrom68(detection.landmarks68);
 * const face = alignFace(image, five); // 112×112, insightface's norm_crop
 * ```
 */
export function fivePointsFrom68(points: readonly Point[]): Point[] {
  if (points.length !== 68) throw new Error(`fivePointsFrom68 needs the 68 iBUG landmarks, got ${points.length} points`);
  points.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new Error(`fivePointsFrom68: landmark ${i} is not a finite [x, y] pair: ${JSON.stringify(p)}`);
  });
  return [
    mean(points, IBUG68.leftEye),
    mean(points, IBUG68.rightEye),
    points[IBUG68.noseTip] as Point,
    points[IBUG68.leftMouthCorner] as Point,
    points[IBUG68.rightMouthCorner] as Point,
  ];
}
