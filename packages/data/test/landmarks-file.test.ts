import { describe, expect, test } from 'vitest';
import { DataError, fivePointsFrom68, formatLandmarksFile, parseLandmarksFile, type FaceLandmarks, type Point } from '@fr/data';

const FIVE: Point[] = [
  [38.5, 51.5],
  [73.5, 51.25],
  [56, 71.75],
  [41.5, 92.5],
  [70.75, 92],
];

function parseError(text: string): DataError {
  try {
    parseLandmarksFile(text, 'lm.json');
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

describe('landmarks file', () => {
  test('format → parse round trip keeps faces, nulls, scores, boxes and settings', () => {
    const images = new Map<string, FaceLandmarks | null>([
      ['b/2.jpg', null],
      ['a/1.jpg', { landmarks: FIVE, score: 0.93, box: [1, 2, 90, 95], faces: 2 }],
    ]);
    const text = formatLandmarksFile({ detector: 'test', settings: { size: 112 }, images });
    expect(text.indexOf('"a/1.jpg"')).toBeLessThan(text.indexOf('"b/2.jpg"')); // sorted keys
    const back = parseLandmarksFile(text);
    expect(back.detector).toBe('test');
    expect(back.settings).toEqual({ size: 112 });
    expect(back.images.get('a/1.jpg')).toEqual({ landmarks: FIVE, score: 0.93, box: [1, 2, 90, 95], faces: 2 });
    expect(back.images.get('b/2.jpg')).toBeNull();
    expect(back.images.has('c/3.jpg')).toBe(false);
    expect(parseLandmarksFile(formatLandmarksFile({ images: new Map() })).images.size).toBe(0);
  });

  test('landmarks from elsewhere: bare point arrays, and 68 points reduced to five', () => {
    const pts68: Point[] = Array.from({ length: 68 }, (_, i) => [i * 1.5, 200 - i] as const);
    const lf = parseLandmarksFile(JSON.stringify({ format: 'fr-landmarks/1', images: { 'x.png': FIVE, 'y.png': { landmarks: pts68 } } }));
    expect(lf.images.get('x.png')).toEqual({ landmarks: FIVE });
    expect(lf.images.get('y.png')?.landmarks).toEqual(fivePointsFrom68(pts68));
  });

  test('malformed files fail naming the file and the image', () => {
    expect(parseError('{').message).toMatch(/^lm\.json: not JSON/);
    expect(parseError('{"format":"other","images":{}}').message).toBe('lm.json: "format" must be "fr-landmarks/1", got "other"');
    expect(parseError('{"format":"fr-landmarks/1"}').message).toContain('"images" must be an object');
    const e = parseError(JSON.stringify({ format: 'fr-landmarks/1', images: { 'a/1.jpg': FIVE.slice(0, 4) } }));
    expect(e.kind).toBe('bad-landmarks');
    expect(e.message).toBe('lm.json: images["a/1.jpg"]: expected 5 points (ArcFace order) or 68 (iBUG), got 4');
    expect(parseError(JSON.stringify({ format: 'fr-landmarks/1', images: { 'a/1.jpg': { landmarks: [...FIVE.slice(0, 4), [1, 'x']] } } })).message).toBe(
      'lm.json: images["a/1.jpg"].landmarks: point 4 is not a finite [x, y] pair: [1,"x"]',
    );
    expect(parseError(JSON.stringify({ format: 'fr-landmarks/1', images: { 'a/1.jpg': { landmarks: FIVE, score: 'high' } } })).message).toContain('images["a/1.jpg"].score must be a number');
    expect(parseError(JSON.stringify({ format: 'fr-landmarks/1', images: { 'a/1.jpg': 7 } })).message).toContain('images["a/1.jpg"]: expected null, an array of points');
  });
});
