/** Which face to keep when a photo holds several. */
import type { DetectedFace } from './face-detector.js';

/** `largest`: the largest box (the subject of a portrait); `central`: the box centre nearest the image centre (a crop around one face). */
export type FacePick = 'largest' | 'central';

/** The kept face and a sentence saying why, for the report. */
export interface PickedFace {
  readonly index: number;
  readonly reason: string;
}

const round = (v: number): string => String(Math.round(v));

/**
 * Chooses one of `faces` (at least one) in a `width × height` image.
 *
 * @example
 * ```ts
 * const { index, reason } = pickFace(faces, 'largest', image.width, image.height);
 * // reason: 'largest box: 9604 px² (next 1200 px²)'
 * ```
 */
export function pickFace(faces: readonly DetectedFace[], pick: FacePick, width: number, height: number): PickedFace {
  if (faces.length === 0) throw new Error('pickFace needs at least one face');
  const measure =
    pick === 'largest'
      ? (f: DetectedFace) => -(f.box.width * f.box.height)
      : (f: DetectedFace) => Math.hypot(f.box.x + f.box.width / 2 - width / 2, f.box.y + f.box.height / 2 - height / 2);
  const order = faces.map((f, i) => ({ i, m: measure(f) })).sort((a, b) => a.m - b.m || a.i - b.i);
  const best = order[0] as { i: number; m: number };
  const next = order[1];
  if (!next) return { index: best.i, reason: 'only face' };
  const reason =
    pick === 'largest'
      ? `largest box: ${round(-best.m)} px² (next ${round(-next.m)} px²)`
      : `box centre nearest the image centre: ${round(best.m)} px away (next ${round(next.m)} px)`;
  return { index: best.i, reason };
}
