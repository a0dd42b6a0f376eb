/**
 * The landmarks cache: five face points per image, keyed by the image's path relative to the
 * dataset root, so a dataset is detected once and aligned on the fly afterwards
 * (`ImageFolderDataset.open(root, { align: { landmarks } })`) or re-aligned at another size
 * (`fr-data align --landmarks`). JSON, written by `fr-data align` as `<out>/landmarks.json`:
 *
 * ```json
 * { "format": "fr-landmarks/1",
 *   "points": "left eye, right eye, nose tip, left mouth corner, right mouth corner (image pixels, left/right as seen in the image)",
 *   "detector": "@vladmandic/face-api 1.7.15: tiny face detector + 68-point landmarks",
 *   "settings": { "minScore": 0.2, "pick": "largest" },
 *   "images": {
 *     "07201/000123.jpg": { "landmarks": [[38.1, 51.9], [73.4, 51.2], [56.3, 71.0], [41.9, 92.6], [70.2, 92.0]], "score": 0.93, "box": [12.5, 10.1, 88.2, 95.0], "faces": 1 },
 *     "07201/000124.jpg": null } }
 * ```
 *
 * `null` records that no face was found (so a resumed run does not look again). Landmarks written
 * by other tools may give 68 iBUG points instead of 5 (reduced by {@link fivePointsFrom68}), or a
 * bare array of points instead of an object.
 */
import { readFileSync } from 'node:fs';
import { dataError, errorMessage } from '../errors.js';
import { fivePointsFrom68 } from './five-points.js';
import type { Point } from './template.js';

export const LANDMARKS_FORMAT = 'fr-landmarks/1';

/** One face: the five ArcFace points, and where it came from. */
export interface FaceLandmarks {
  /** Left eye, right eye, nose tip, left and right mouth corner, in image pixels. */
  readonly landmarks: readonly Point[];
  /** Detector confidence of the kept face. */
  readonly score?: number;
  /** Detector box `[x, y, width, height]` of the kept face. */
  readonly box?: readonly [number, number, number, number];
  /** How many faces the detector found in the image (above the minimum score). */
  readonly faces?: number;
}

/** A parsed landmarks file. */
export interface LandmarksFile {
  /** What produced the landmarks (free text). */
  readonly detector?: string;
  /** The settings the producer ran with (free form; `fr-data align` checks them on resume). */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Relative image path (`/`-separated) → the face, or `null` when none was found. */
  readonly images: ReadonlyMap<string, FaceLandmarks | null>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parsePoints(value: unknown, where: string, file: string): Point[] {
  const bad = (why: string) => dataError('bad-landmarks', file, `${file}: ${where}: ${why}`);
  if (!Array.isArray(value)) throw bad(`expected an array of [x, y] points, got ${JSON.stringify(value)?.slice(0, 60)}`);
  if (value.length !== 5 && value.length !== 68) throw bad(`expected 5 points (ArcFace order) or 68 (iBUG), got ${value.length}`);
  const points = value.map((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      throw bad(`point ${i} is not a finite [x, y] pair: ${JSON.stringify(p)}`);
    }
    return [p[0], p[1]] as const;
  });
  return points.length === 68 ? fivePointsFrom68(points) : points;
}

function parseEntry(value: unknown, key: string, file: string): FaceLandmarks | null {
  if (value === null) return null;
  const where = `images[${JSON.stringify(key)}]`;
  if (Array.isArray(value)) return { landmarks: parsePoints(value, where, file) };
  if (!isObject(value)) throw dataError('bad-landmarks', file, `${file}: ${where}: expected null, an array of points or { "landmarks": [...] }, got ${JSON.stringify(value)?.slice(0, 60)}`);
  const landmarks = parsePoints(value.landmarks, `${where}.landmarks`, file);
  const { score, box, faces } = value;
  if (score !== undefined && (typeof score !== 'number' || !Number.isFinite(score))) throw dataError('bad-landmarks', file, `${file}: ${where}.score must be a number, got ${JSON.stringify(score)}`);
  if (box !== undefined && !(Array.isArray(box) && box.length === 4 && box.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    throw dataError('bad-landmarks', file, `${file}: ${where}.box must be [x, y, width, height], got ${JSON.stringify(box)}`);
  }
  if (faces !== undefined && !(Number.isInteger(faces) && (faces as number) >= 1)) throw dataError('bad-landmarks', file, `${file}: ${where}.faces must be a positive integer, got ${JSON.stringify(faces)}`);
  return {
    landmarks,
    ...(score === undefined ? {} : { score }),
    ...(box === undefined ? {} : { box: box as [number, number, number, number] }),
    ...(faces === undefined ? {} : { faces: faces as number }),
  };
}

/**
 * Parses landmarks JSON. Throws a {@link DataError} (`bad-landmarks`) naming `file` and the
 * image key for anything malformed.
 *
 * @example
 * ```ts
 * const lf = parseLandmarksFile('{"format":"fr-landmarks/1","images":{"a/1.jpg":[[38,52],[74,52],[56,72],[42,92],[71,92]]}}');
 * lf.images.get('a/1.jpg')?.landmarks[2]; // [56, 72]
 * ```
 */
export function parseLandmarksFile(text: string, file = '<memory>'): LandmarksFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw dataError('bad-landmarks', file, `${file}: not JSON (${errorMessage(e)})`);
  }
  if (!isObject(json)) throw dataError('bad-landmarks', file, `${file}: expected a JSON object with "format" and "images"`);
  if (json.format !== LANDMARKS_FORMAT) throw dataError('bad-landmarks', file, `${file}: "format" must be ${JSON.stringify(LANDMARKS_FORMAT)}, got ${JSON.stringify(json.format)}`);
  if (!isObject(json.images)) throw dataError('bad-landmarks', file, `${file}: "images" must be an object mapping relative image paths to landmarks`);
  if (json.detector !== undefined && typeof json.detector !== 'string') throw dataError('bad-landmarks', file, `${file}: "detector" must be a string`);
  if (json.settings !== undefined && !isObject(json.settings)) throw dataError('bad-landmarks', file, `${file}: "settings" must be an object`);
  const images = new Map<string, FaceLandmarks | null>();
  for (const [key, value] of Object.entries(json.images)) images.set(key, parseEntry(value, key, file));
  return {
    images,
    ...(json.detector === undefined ? {} : { detector: json.detector }),
    ...(json.settings === undefined ? {} : { settings: json.settings }),
  };
}

/** Reads and parses a landmarks file (see {@link parseLandmarksFile}). */
export function readLandmarksFile(path: string): LandmarksFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw dataError(code === 'ENOENT' ? 'missing-file' : 'unreadable', path, `${code === 'ENOENT' ? 'landmarks file not found' : 'cannot read landmarks file'}: ${path} (${errorMessage(e)})`, { cause: e });
  }
  return parseLandmarksFile(text, path);
}

/**
 * The JSON text of a landmarks file: one image per line, keys in sorted order (stable diffs).
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/landmarks.json', formatLandmarksFile({ detector: 'mine', images }));
 * ```
 */
export function formatLandmarksFile(lf: LandmarksFile): string {
  const head = { format: LANDMARKS_FORMAT, points: 'left eye, right eye, nose tip, left mouth corner, right mouth corner (image pixels, left/right as seen in the image)', ...(lf.detector ? { detector: lf.detector } : {}), ...(lf.settings ? { settings: lf.settings } : {}) };
  const keys = [...lf.images.keys()].sort();
  const lines = keys.map((k) => `    ${JSON.stringify(k)}: ${JSON.stringify(lf.images.get(k) ?? null)}`);
  const headText = JSON.stringify(head, null, 2).slice(0, -2);
  return `${headText},\n  "images": {${lines.length ? `\n${lines.join(',\n')}\n  ` : ''}}\n}\n`;
}
