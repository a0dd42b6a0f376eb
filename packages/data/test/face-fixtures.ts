/**
 * Synthetic "faces" with known landmarks: five coloured discs (left eye red, right eye green,
 * nose blue, mouth corners yellow and magenta) on a grey gradient, placed by a similarity of the
 * ArcFace template. After alignment the disc centres must sit on the template.
 */
import { ARCFACE_TEMPLATE_112, applyAffine, similarityMatrix, type Point, type RgbImage } from '@fr/data';

export const DOT_COLORS: readonly (readonly [number, number, number])[] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
  [255, 0, 255],
];

/** The template moved by scale `s`, rotation `theta` and translation: where the fixture's dots go. */
export function placedLandmarks(s: number, theta: number, tx: number, ty: number): Point[] {
  const m = similarityMatrix(s, theta, tx, ty);
  return ARCFACE_TEMPLATE_112.map((p) => applyAffine(m, p));
}

/** A `width × height` image with a disc of radius `r` at each landmark. */
export function dotFace(width: number, height: number, landmarks: readonly Point[], r = 4): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const g = 90 + Math.round((60 * (x + y)) / (width + height));
      data[i] = g;
      data[i + 1] = g;
      data[i + 2] = g;
      landmarks.forEach(([px, py], k) => {
        if (Math.hypot(x - px, y - py) <= r) data.set(DOT_COLORS[k] as readonly number[], i);
      });
    }
  }
  return { width, height, data };
}

/** Centre of each coloured dot (mean position of the pixels close to its colour), or NaN if absent. */
export function findDots(image: RgbImage, tolerance = 60): Point[] {
  return DOT_COLORS.map((c) => {
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const i = (y * image.width + x) * 3;
        if (Math.abs((image.data[i] as number) - c[0]) + Math.abs((image.data[i + 1] as number) - c[1]) + Math.abs((image.data[i + 2] as number) - c[2]) <= tolerance) {
          sx += x;
          sy += y;
          n++;
        }
      }
    }
    return [sx / n, sy / n] as const;
  });
}
