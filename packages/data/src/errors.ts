/**
 * Errors and issues about input data. Every message names the file (and the line, for text
 * inputs such as pairs files) so a bad example can be found and fixed without a debugger.
 */

/** What went wrong with one input. */
export type DataIssueKind =
  /** The bytes are not an image in any supported format (text, HTML error page, unknown magic). */
  | 'not-an-image'
  /** The file ends before the image does (interrupted download or copy). */
  | 'truncated'
  /** The format is recognised but the data cannot be decoded (bad Huffman codes, CRC, …). */
  | 'corrupt'
  /** A valid image in a variant this package does not decode (e.g. a 4-channel JPEG without an Adobe marker). */
  | 'unsupported'
  /** The image needed a colour conversion (grey, CMYK, 16-bit, palette, alpha) and conversions are rejected. */
  | 'conversion-rejected'
  /** An identity folder holds no usable image. */
  | 'empty-identity'
  /** A file named by a list (pairs file, identity list) does not exist. */
  | 'missing-file'
  /** The file exists but cannot be read (permissions, I/O error). */
  | 'unreadable'
  /** A text input (pairs file, identity list) has a line that cannot be parsed. */
  | 'bad-line'
  /** A record container (.rec/.idx/.bin) is malformed. */
  | 'bad-container'
  /** Alignment was asked for but the landmarks file has no face for the image (none detected, or not listed). */
  | 'no-face'
  /** A landmarks file is malformed (wrong format tag, not 5 or 68 points, non-finite coordinates). */
  | 'bad-landmarks';

/** How a loader treats bad inputs: leave them out and count them, or stop with an error. */
export type BadDataPolicy = 'skip' | 'stop';

/** One problem found in the inputs. `file` is always set; `line` for text inputs. */
export interface DataIssue {
  readonly kind: DataIssueKind;
  readonly file: string;
  /** 1-based line number, for text inputs. */
  readonly line?: number;
  /** A complete sentence naming the file, e.g. `truncated JPEG: /data/a/1.jpg (no end-of-image marker)`. */
  readonly message: string;
}

/**
 * An error about input data, carrying the {@link DataIssue} that caused it.
 *
 * @example
 * ```ts
 * try { await ImageFolderDataset.open(root, { badData: 'stop' }); }
 * catch (e) { if (e instanceof DataError) console.error(e.issue.file, e.issue.kind); }
 * ```
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    readonly issue: DataIssue,
    options?: { cause?: unknown },
  ) {
    super(issue.message, options);
  }

  get kind(): DataIssueKind {
    return this.issue.kind;
  }

  get file(): string {
    return this.issue.file;
  }
}

/**
 * Builds a {@link DataError}; `message` should already name the file.
 *
 * @example
 * ```ts
 * throw dataError('missing-file', path, `pairs.txt:12: image not found: ${path}`, { line: 12 });
 * ```
 */
export function dataError(kind: DataIssueKind, file: string, message: string, extra: { line?: number; cause?: unknown } = {}): DataError {
  const issue: DataIssue = extra.line === undefined ? { kind, file, message } : { kind, file, line: extra.line, message };
  return new DataError(issue, extra.cause === undefined ? undefined : { cause: extra.cause });
}

/** A log sink: a function taking one line, or `null` for silence (the @fr convention). */
export type LogSink = ((line: string) => void) | null;

/**
 * Collects issues under a policy: with `stop` the first issue throws; with `skip` it is counted,
 * logged (one line per file) and kept for the summary.
 *
 * @example
 * ```ts
 * const issues = new IssueLog('skip', console.warn);
 * issues.report(dataError('truncated', path, `truncated JPEG: ${path}`).issue);
 * issues.count('truncated'); // 1
 * ```
 */
export class IssueLog {
  private readonly list: DataIssue[] = [];
  private readonly counts = new Map<DataIssueKind, number>();

  constructor(
    readonly policy: BadDataPolicy,
    private readonly log: LogSink = console.warn,
    private readonly onIssue?: (issue: DataIssue) => void,
  ) {}

  /** Records `issue`; throws it as a {@link DataError} under the `stop` policy. */
  report(issue: DataIssue, cause?: unknown): void {
    if (this.policy === 'stop') throw new DataError(issue, cause === undefined ? undefined : { cause });
    this.note(issue);
  }

  /** Records an issue without applying the policy (the caller has already decided to go on). */
  note(issue: DataIssue): void {
    this.list.push(issue);
    this.counts.set(issue.kind, (this.counts.get(issue.kind) ?? 0) + 1);
    this.onIssue?.(issue);
    this.log?.(`[fr/data] skipped: ${issue.message}`);
  }

  get issues(): readonly DataIssue[] {
    return this.list;
  }

  /** Number of issues of `kind`, or of all kinds. */
  count(kind?: DataIssueKind): number {
    return kind ? (this.counts.get(kind) ?? 0) : this.list.length;
  }

  /** Counts per kind, e.g. `{ truncated: 2, 'not-an-image': 1 }`. */
  summary(): Partial<Record<DataIssueKind, number>> {
    return Object.fromEntries(this.counts) as Partial<Record<DataIssueKind, number>>;
  }
}

/** Turns any thrown value into a short message. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
