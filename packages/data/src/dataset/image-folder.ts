/** `ImageFolderDataset`: a training set from a folder per identity. */
import { join } from 'node:path';
import { dataError, IssueLog } from '../errors.js';
import { ImageDataset, type Example, type ImageDatasetInit, type LoaderOptions } from './image-dataset.js';
import { scanImageFolder, type FolderScan, type ScanOptions } from './scan-image-folder.js';
import { validateRefs, type ValidationMode } from './validate.js';

export interface ImageFolderOptions extends LoaderOptions, ScanOptions {
  /** Checks run at open (default `header`, see {@link ValidationMode}). */
  readonly validate?: ValidationMode;
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
    const { issues: found, conversions } = await validateRefs(refs, options.validate ?? 'header', { rejectConversions: options.rejectConversions });
    const examples: Example[] = [];
    const counts = new Int32Array(scan.classNames.length);
    scan.files.forEach((f, i) => {
      const issue = found[i];
      if (issue) issues.report(issue);
      else {
        examples.push({ ref: refs[i] as Example['ref'], label: f.label });
        counts[f.label] = (counts[f.label] as number) + 1;
      }
    });
    scan.classNames.forEach((id, label) => {
      if (counts[label] === 0 && !scan.emptyIdentities.includes(id)) {
        const dir = join(root, id);
        issues.report(dataError('empty-identity', dir, `identity folder has no usable image after skipping bad files (class ${label} kept with 0 examples): ${dir}`).issue);
      }
    });
    return new ImageFolderDataset(scan, { examples, classNames: scan.classNames, options, issues, conversions });
  }
}
