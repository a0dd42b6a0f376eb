/** `RecordIODataset`: a training set straight from an insightface `.rec`/`.idx` pair. */
import { IssueLog } from '../errors.js';
import { InsightfaceRec, type OpenRecOptions } from '../formats/insightface-rec.js';
import { ImageDataset, type Example, type ImageDatasetInit, type LoaderOptions } from './image-dataset.js';
import { validateRefs, type ValidationMode } from './validate.js';

export interface RecordDatasetOptions extends LoaderOptions, OpenRecOptions {
  /** Checks run at open (default `none`: reading every record of a large `.rec` takes a while). */
  readonly validate?: ValidationMode;
  /** At most this many images per class (the first ones in key order). */
  readonly limitPerClass?: number;
}

/**
 * An insightface training set (`train.rec` + `train.idx`, e.g. MS1M-ArcFace) as a
 * `TrainingDataset`; records are read and decoded in the worker threads. Class names are the
 * class indices as strings.
 *
 * @example
 * ```ts
 * const ds = await RecordIODataset.open('faces_emore/train', { randomFlip: true });
 * ds.numClasses; // 85742
 * ```
 */
export class RecordIODataset extends ImageDataset {
  private constructor(
    /** The `.rec` file. */
    readonly recPath: string,
    init: ImageDatasetInit,
  ) {
    super(init);
  }

  static async open(path: string, options: RecordDatasetOptions = {}): Promise<RecordIODataset> {
    const log = options.log === undefined ? console.warn : options.log;
    const issues = new IssueLog(options.badData ?? 'skip', log, options.onIssue);
    const rec = InsightfaceRec.open(path, options);
    let examples: Example[];
    let numClasses: number;
    try {
      numClasses = rec.numClasses;
      const perClass = new Int32Array(numClasses);
      examples = [];
      for (const img of rec.images) {
        if (options.limitPerClass !== undefined && (perClass[img.label] as number) >= options.limitPerClass) continue;
        perClass[img.label] = (perClass[img.label] as number) + 1;
        examples.push({ ref: { kind: 'record', recPath: rec.recPath, offset: img.offset, key: img.key }, label: img.label });
      }
    } finally {
      rec.close();
    }
    const { issues: found, conversions } = await validateRefs(
      examples.map((e) => e.ref),
      options.validate ?? 'none',
      { rejectConversions: options.rejectConversions },
    );
    const kept = examples.filter((_, i) => {
      const issue = found[i];
      if (issue) issues.report(issue);
      return !issue;
    });
    const classNames = Array.from({ length: numClasses }, (_, i) => String(i));
    return new RecordIODataset(rec.recPath, { examples: kept, classNames, options, issues, conversions });
  }
}
