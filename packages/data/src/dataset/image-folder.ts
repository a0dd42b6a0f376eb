/** `ImageFolderDataset`: a training set from a folder per identity. */
import { join, relative, sep } from 'node:path';
import { readLandmarksFile, type LandmarksFile } from '../align/landmarks-file.js';
import { dataError, IssueLog, type DataIssue } from '../errors.js';
import { ImageDataset, type Example, type ImageDatasetInit, type LoaderOptions } from './image-dataset.js';
import { scanImageFolder, type FolderScan, type ScanOptions } from './scan-image-folder.js';
import { validateRefs, type ValidationMode } from './validate.js';

export interface ImageFolderOptions extends LoaderOptions, ScanOptions {
  /** Checks run at open (default `header`, see {@link ValidationMode}). */
  readonly validate?: ValidationMode;
  /**
   * Align every image to the ArcFace template when it is decoded, from a landmarks cache (the
   * `landmarks.json` that `fr-data align` writes, keyed by paths relative to `root`), so a
   * dataset is detected once and never copied. Images the cache gives no face are bad data of
   * kind `no-face` (skipped, or an error under `badData: 'stop'`). The aligned `size × size` crop
   * (default 112) is then resized to `inputSize` like any image.
   */
  readonly align?: { readonly landmarks: string | LandmarksFile; readonly size?: number };
}

const relativeKey = (root: string, path: string): string => relative(root, path).split(sep).join('/');

/** The `no-face` issue of an image the landmarks cache gives no face, else undefined. */
function faceIssue(cache: LandmarksFile, cacheName: string, root: string, path: string): DataIssue | undefined {
  const key = relativeKey(root, path);
  const entry = cache.images.get(key);
  if (entry) return undefined;
  return dataError('no-face', path, `no face for ${path} in ${cacheName} (${entry === null ? 'none was detected' : `no entry ${JSON.stringify(key)}`})`).issue;
}

/**
 * `root/<identity>/<image>` as a `TrainingDataset`. Class index = position of the identity in
 * sorted order (after `include`/`exclude`); bad files are found at open (`validate`) and handled
 * by the `badData` policy without shifting any label.
 *
 * @example
 * ```ts
 * import { ImageFolderDataset, readIdentityList } from '@fr/data';
 * const train = await ImageFolderDataset.open('../shared/data/celeba-crops', {
 *   exclude: readIdentityList('../shared/data/celeba-crops-split.txt'),
 *   inputSize: 112,
 *   randomFlip: true,
 * });
 * for await (const batch of train.batches({ epoch: 0, seed: 42, batchSize: 128, fromBatch: 0, dropLast: true })) {
 *   // batch.images: Float32Array [128,112,112,3]; batch.labels: Int32Array
 * }
 * await train.close();
 * ```
 */
export class ImageFolderDataset extends ImageDataset {
  /** The folder listing the dataset was built from. */
  readonly scan: FolderScan;

  private constructor(scan: FolderScan, init: ImageDatasetInit) {
    super(init);
    this.scan = scan;
  }

  /** The folder. */
  get root(): string {
    return this.scan.root;
  }

  /** Lists, validates and opens `root`. Under `badData: 'stop'` the first problem throws a {@link DataError}. */
  static async open(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
    const size = options.align?.size;
    if (size !== undefined && !(Number.isInteger(size) && size >= 8)) throw new Error(`align.size must be an integer ≥ 8, got ${size}`);
    const log = options.log === undefined ? console.warn : options.log;
    const issues = new IssueLog(options.badData ?? 'skip', log, options.onIssue);
    const scan = scanImageFolder(root, options);
    if (scan.unknownIdentities.length > 0) {
      log?.(`[fr/data] ${scan.unknownIdentities.length} identities named in include/exclude are not folders under ${root}: ${scan.unknownIdentities.slice(0, 5).join(', ')}${scan.unknownIdentities.length > 5 ? ', …' : ''}`);
    }
    for (const id of scan.emptyIdentities) {
      const dir = join(root, id);
      issues.report(dataError('empty-identity', dir, `identity folder has no image files (class ${scan.classNames.indexOf(id)} kept with 0 examples): ${dir}`).issue);
    }
    const refs = scan.files.map((f) => ({ kind: 'file' as const, path: f.path }));
    const align = options.align;
    const cache = align ? (typeof align.landmarks === 'string' ? readLandmarksFile(align.landmarks) : align.landmarks) : undefined;
    const cacheName = align && typeof align.landmarks === 'string' ? align.landmarks : 'the landmarks given';
    const { issues: found, conversions } = await validateRefs(refs, options.validate ?? 'header', { rejectConversions: options.rejectConversions });
    const examples: Example[] = [];
    const counts = new Int32Array(scan.classNames.length);
    scan.files.forEach((f, i) => {
      const issue = found[i] ?? (cache ? faceIssue(cache, cacheName, root, f.path) : undefined);
      if (issue) {
        issues.report(issue);
        return;
      }
      const landmarks = cache?.images.get(relativeKey(root, f.path))?.landmarks;
      examples.push({ ref: refs[i] as Example['ref'], label: f.label, ...(landmarks ? { landmarks } : {}) });
      counts[f.label] = (counts[f.label] as number) + 1;
    });
    scan.classNames.forEach((id, label) => {
      if (counts[label] === 0 && !scan.emptyIdentities.includes(id)) {
        const dir = join(root, id);
        issues.report(dataError('empty-identity', dir, `identity folder has no usable image after skipping bad files (class ${label} kept with 0 examples): ${dir}`).issue);
      }
    });
    return new ImageFolderDataset(scan, { examples, classNames: scan.classNames, options, issues, conversions, ...(align?.size ? { alignSize: align.size } : {}) });
  }
}
