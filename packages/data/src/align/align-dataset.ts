/**
 * Aligning a whole dataset once: every image of an ImageFolder (or every image a pairs file
 * names) → detect (or look up) five landmarks → warp to the ArcFace template → an aligned copy
 * under the same relative path. Resumable: `<out>/landmarks.json` records each image's outcome
 * and is rewritten (atomically) every few seconds, so a rerun skips what is done. Every image file
 * is written atomically, so an interrupted run never leaves a torn image.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '@fr/core';
import type { IdentityFilter } from '../dataset/identity-split.js';
import { scanImageFolder } from '../dataset/scan-image-folder.js';
import { DataError, errorMessage, type LogSink } from '../errors.js';
import { decodeImage } from '../image/decode.js';
import { encodeImage, formatForPath } from '../image/encode-image.js';
import { fitSquare } from '../image/resize.js';
import type { RgbImage } from '../image/types.js';
import { readPairsFile } from '../pairs/pairs-file.js';
import { resolvePairs, type FilePattern } from '../pairs/resolve.js';
import type { DetectedFace, FaceDetector } from '../detect/face-detector.js';
import { pickFace, type FacePick } from '../detect/pick-face.js';
import { alignFace } from './align-face.js';
import { formatLandmarksFile, readLandmarksFile, type FaceLandmarks, type LandmarksFile } from './landmarks-file.js';

/** File names inside the output folder. */
export const ALIGN_REPORT_FILE = 'align-report.json';
export const LANDMARKS_FILE = 'landmarks.json';

/** What happens to an image without a usable face: left out, or copied resized but unaligned. */
export type NoFacePolicy = 'skip' | 'resize';

export interface AlignDatasetOptions {
  /** An ImageFolder root, or a pairs file (LFW layout) whose images are aligned. */
  readonly input: string;
  /** Output folder: aligned copies under the same relative paths, `landmarks.json`, `align-report.json`. */
  readonly out: string;
  /** For a folder: only these identities / leave these out (e.g. the held-out ids of a verification set). */
  readonly include?: IdentityFilter;
  readonly exclude?: IdentityFilter;
  /** For a pairs file: the image root (default: the pairs file's folder). */
  readonly images?: string;
  /** For a pairs file: how names become paths (default `auto`). */
  readonly pattern?: FilePattern;
  /** Output side in pixels (default 112; the template is scaled as insightface's `estimate_norm`). */
  readonly size?: number;
  /** Where landmarks come from: a detector, or landmarks computed elsewhere (a file or a parsed {@link LandmarksFile}). */
  readonly detector?: FaceDetector;
  readonly landmarks?: string | LandmarksFile;
  /** Faces scoring below this are not used (default 0.2; the tiny detector scores ORL's grey faces 0.25–0.95). */
  readonly minScore?: number;
  /** Which face to keep when there are several (default `largest`). */
  readonly pick?: FacePick;
  /** Images without a usable face (default: `skip` for a folder, `resize` for a pairs file so every pair survives). */
  readonly ifNoFace?: NoFacePolicy;
  /** JPEG quality of aligned JPEG copies (default 95). */
  readonly quality?: number;
  /** Called after every image with (images done including earlier runs, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** One line per unreadable image (default `console.warn`; `null` silences). */
  readonly log?: LogSink;
  /** Seconds between rewrites of `landmarks.json` and the report (default 10). */
  readonly flushSeconds?: number;
}

/** A face the detector found, as the report lists it. */
export interface ReportedFace {
  readonly score: number;
  readonly box: readonly [number, number, number, number];
}

/** The account of an alignment run (also written to `<out>/align-report.json`). */
export interface AlignReport {
  readonly input: string;
  readonly images: string;
  readonly out: string;
  readonly source: string;
  readonly settings: AlignSettings;
  /** Images listed in the input. */
  readonly total: number;
  /** Images with an aligned copy. */
  readonly aligned: number;
  /** `aligned / total`. */
  readonly detectionRate: number;
  /** Images found done by an earlier run and skipped in this one. */
  readonly resumed: number;
  /** No face at all (or none in the landmarks file). */
  readonly noFace: readonly { readonly file: string; readonly reason: string }[];
  /** Faces found, all scoring below `minScore`. */
  readonly lowScore: readonly { readonly file: string; readonly faces: readonly ReportedFace[] }[];
  /** Several faces at or above `minScore`: which was kept and why. */
  readonly multipleFaces: readonly { readonly file: string; readonly faces: readonly ReportedFace[]; readonly kept: number; readonly reason: string }[];
  /** Images without a face copied resized, unaligned (`ifNoFace: 'resize'`). */
  readonly unalignedCopies: readonly string[];
  /** Images that could not be read or decoded. */
  readonly failed: readonly { readonly file: string; readonly message: string }[];
  /** This run: images processed, wall seconds, and mean milliseconds per image (all work / detection alone). */
  readonly run: { readonly processed: number; readonly seconds: number; readonly msPerImage: number; readonly detectMsPerImage: number };
}

/** The settings recorded in `landmarks.json`; a resumed run must use the same. */
export interface AlignSettings {
  readonly size: number;
  readonly minScore: number;
  readonly pick: FacePick;
  readonly ifNoFace: NoFacePolicy;
}

/** One image to align. */
interface Item {
  readonly path: string;
  /** Relative to the image root, `/`-separated: the landmarks key and the output path. */
  readonly key: string;
}

const toKey = (root: string, path: string): string => relative(root, path).split(sep).join('/');
const round2 = (v: number): number => Math.round(v * 100) / 100;
const boxOf = (f: DetectedFace): [number, number, number, number] => [round2(f.box.x), round2(f.box.y), round2(f.box.width), round2(f.box.height)];
const reported = (f: DetectedFace): ReportedFace => ({ score: Math.round(f.score * 1e4) / 1e4, box: boxOf(f) });

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function listItems(options: AlignDatasetOptions): { root: string; items: Item[]; pairsText?: string } {
  if (isDirectory(options.input)) {
    const root = options.input;
    const scan = scanImageFolder(root, { include: options.include, exclude: options.exclude });
    return { root, items: scan.files.map((f) => ({ path: f.path, key: toKey(root, f.path) })) };
  }
  const pairs = readPairsFile(options.input);
  const root = options.images ?? dirname(options.input);
  const { pairs: resolved } = resolvePairs(pairs, root, { pattern: options.pattern, badData: 'stop' });
  const paths = [...new Set(resolved.flatMap((p) => [p.path1, p.path2]))].sort();
  return { root, items: paths.map((path) => ({ path, key: toKey(root, path) })), pairsText: readFileSync(options.input, 'utf8') };
}

function sameSettings(a: Readonly<Record<string, unknown>>, b: AlignSettings): string | undefined {
  for (const [k, v] of Object.entries(b)) if (a[k] !== v) return `${k} ${JSON.stringify(a[k])} there, ${JSON.stringify(v)} now`;
  return undefined;
}

/**
 * Aligns a dataset (see the module comment). Needs `detector` or `landmarks`; with both, the
 * landmarks file wins and the detector is not used.
 *
 * @example
 * ```ts
 * await selectBackend('wasm');
 * const detector = await loadFaceApiDetector();
 * const report = await alignDataset({ input: 'data/celeba-crops', out: 'runs/aligned/celeba-crops', detector });
 * report.detectionRate; // 0.99
 * detector.dispose();
 * ```
 */
export async function alignDataset(options: AlignDatasetOptions): Promise<AlignReport> {
  const size = options.size ?? 112;
  if (!Number.isInteger(size) || size < 8) throw new Error(`size must be an integer ≥ 8, got ${size}`);
  const minScore = options.minScore ?? 0.2;
  if (!(minScore >= 0 && minScore <= 1)) throw new Error(`minScore must be in [0, 1], got ${minScore}`);
  const pick = options.pick ?? 'largest';
  if (pick !== 'largest' && pick !== 'central') throw new Error(`pick must be 'largest' or 'central', got ${JSON.stringify(pick)}`);
  const given = typeof options.landmarks === 'string' ? readLandmarksFile(options.landmarks) : options.landmarks;
  const detector = given ? undefined : options.detector;
  if (!given && !detector) throw new Error('alignDataset needs a detector or a landmarks file');
  const log = options.log === undefined ? console.warn : options.log;

  const { root, items, pairsText } = listItems(options);
  const ifNoFace = options.ifNoFace ?? (pairsText === undefined ? 'skip' : 'resize');
  if (ifNoFace !== 'skip' && ifNoFace !== 'resize') throw new Error(`ifNoFace must be 'skip' or 'resize', got ${JSON.stringify(ifNoFace)}`);
  const out = options.out;
  const inside = relative(resolve(root), resolve(out));
  const outside = inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  if (!outside) {
    throw new Error(`the output folder ${out} is inside the input folder ${root}: it would be read as an identity next time; choose a folder outside it`);
  }
  const settings: AlignSettings = { size, minScore, pick, ifNoFace };
  const source = given ? `landmarks file ${typeof options.landmarks === 'string' ? options.landmarks : '(in memory)'}${given.detector ? ` (${given.detector})` : ''}` : (detector as FaceDetector).name;

  // Resume state: the outcomes recorded by an earlier run with the same settings.
  const cachePath = join(out, LANDMARKS_FILE);
  const reportPath = join(out, ALIGN_REPORT_FILE);
  const cache = new Map<string, FaceLandmarks | null>();
  let previous: AlignReport | undefined;
  if (existsSync(cachePath)) {
    const old = readLandmarksFile(cachePath);
    const differs = sameSettings(old.settings ?? {}, settings);
    if (differs) throw new Error(`${out} holds an alignment made with other settings (${differs}); use another output folder or the same options`);
    for (const [k, v] of old.images) cache.set(k, v);
    if (existsSync(reportPath)) {
      try {
        previous = JSON.parse(readFileSync(reportPath, 'utf8')) as AlignReport;
      } catch {
        previous = undefined; // a report is rebuilt from this run's work; the landmarks are what resumes
      }
    }
  }
  const outputOf = (item: Item): string => join(out, ...item.key.split('/'));
  const isDone = (item: Item): boolean => {
    if (!cache.has(item.key)) return false;
    const entry = cache.get(item.key);
    return (entry === null && ifNoFace === 'skip') || existsSync(outputOf(item));
  };

  const carried = <T extends { file: string }>(list: readonly T[] | undefined, done: Set<string>): T[] => (list ?? []).filter((e) => done.has(e.file));
  const doneBefore = new Set(items.filter(isDone).map((i) => i.key));
  const noFace = carried(previous?.noFace, doneBefore);
  const lowScore = carried(previous?.lowScore, doneBefore);
  const multipleFaces = carried(previous?.multipleFaces, doneBefore);
  const unalignedCopies = (previous?.unalignedCopies ?? []).filter((f) => doneBefore.has(f));
  const failed: { file: string; message: string }[] = [];

  const started = performance.now();
  let detectMs = 0;
  let processed = 0;
  let lastFlush = started;
  const flushEvery = 1000 * (options.flushSeconds ?? 10);
  const report = (): AlignReport => {
    const seconds = (performance.now() - started) / 1000;
    const aligned = items.filter((i) => cache.get(i.key) != null && existsSync(outputOf(i))).length;
    return {
      input: options.input, images: root, out, source, settings,
      total: items.length, aligned, detectionRate: items.length ? aligned / items.length : 0, resumed: doneBefore.size,
      noFace, lowScore, multipleFaces, unalignedCopies, failed,
      run: { processed, seconds, msPerImage: processed ? (1000 * seconds) / processed : 0, detectMsPerImage: processed ? detectMs / processed : 0 },
    };
  };
  const flush = async (): Promise<void> => {
    await writeFileAtomic(cachePath, formatLandmarksFile({ detector: source, settings: { ...settings }, images: cache }));
    await writeFileAtomic(reportPath, `${JSON.stringify(report(), null, 2)}\n`);
    lastFlush = performance.now();
  };
  if (pairsText !== undefined) await writeFileAtomic(join(out, basename(options.input)), pairsText);

  let done = doneBefore.size;
  options.onProgress?.(done, items.length);
  for (const item of items) {
    if (doneBefore.has(item.key)) continue;
    let image: RgbImage;
    try {
      image = decodeImage(new Uint8Array(readFileSync(item.path)), { file: item.path });
    } catch (e) {
      const message = e instanceof DataError ? e.message : `cannot read ${item.path}: ${errorMessage(e)}`;
      failed.push({ file: item.key, message });
      log?.(`[fr/data] align: ${message}`);
      options.onProgress?.(++done, items.length);
      continue;
    }
    let face: FaceLandmarks | null;
    if (given) {
      const entry = given.images.get(item.key);
      face = entry ?? null;
      if (!entry) noFace.push({ file: item.key, reason: entry === null ? 'no face (landmarks file)' : 'not in the landmarks file' });
    } else {
      const t = performance.now();
      const faces = await (detector as FaceDetector).detect(image);
      detectMs += performance.now() - t;
      const usable = faces.filter((f) => f.score >= minScore);
      if (usable.length === 0) {
        face = null;
        if (faces.length > 0) lowScore.push({ file: item.key, faces: faces.map(reported) });
        else noFace.push({ file: item.key, reason: 'no face detected' });
      } else {
        const chosen = pickFace(usable, pick, image.width, image.height);
        if (usable.length > 1) multipleFaces.push({ file: item.key, faces: usable.map(reported), kept: chosen.index, reason: chosen.reason });
        const f = usable[chosen.index] as DetectedFace;
        face = { landmarks: f.landmarks.map(([x, y]) => [round2(x), round2(y)] as const), score: Math.round(f.score * 1e4) / 1e4, box: boxOf(f), faces: usable.length };
      }
    }
    const format = formatForPath(item.path) ?? 'png';
    if (face) await writeFileAtomic(outputOf(item), encodeImage(alignFace(image, face.landmarks, { size }), format, options.quality ?? 95));
    else if (ifNoFace === 'resize') {
      await writeFileAtomic(outputOf(item), encodeImage(fitSquare(image, size, 'stretch'), format, options.quality ?? 95));
      unalignedCopies.push(item.key);
    }
    cache.set(item.key, face);
    processed++;
    options.onProgress?.(++done, items.length);
    if (performance.now() - lastFlush >= flushEvery) await flush();
  }
  await flush();
  return report();
}
