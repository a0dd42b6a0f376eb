/**
 * InsightFace training sets as RecordIO (`train.rec` + `train.idx`), the layout of MS1M-ArcFace,
 * Glint360K, WebFace and friends, read and written without MXNet.
 *
 * Layout (insightface `face2rec2.py` / `RecBuilder`): record key 0 is a header with `flag > 0` and
 * label `[imagesEnd, identitiesEnd]`; keys `1 … imagesEnd−1` are images (IRHeader with the class as
 * label — a scalar, or an array whose first value is the class — then the encoded image); keys
 * `imagesEnd … identitiesEnd−1` are one record per identity with label `[start, end)`, the range of
 * that identity's image keys, and no payload. Files without such a header (flag 0 at key 0) are
 * read as a flat list of image records.
 */
import { existsSync } from 'node:fs';
import { dataError } from '../errors.js';
import { packIRHeader, recordClass, unpackIRHeader, type IRHeader } from './ir-header.js';
import { RecordFile, RecordIOWriter, readRecordIndex, type RecordIndexEntry } from './recordio.js';

/** Resolves `prefix`, `prefix.rec` or `prefix.idx` to both paths. */
export function recordPaths(path: string): { rec: string; idx: string } {
  const prefix = path.replace(/\.(rec|idx)$/, '');
  return { rec: `${prefix}.rec`, idx: `${prefix}.idx` };
}

/** One image record. */
export interface RecImageEntry {
  /** Record key in the `.idx`. */
  readonly key: number;
  /** Byte offset in the `.rec`. */
  readonly offset: number;
  /** Class index. */
  readonly label: number;
}

/** An identity's image-key range `[start, end)`. */
export interface RecIdentityRange {
  readonly start: number;
  readonly end: number;
}

export interface OpenRecOptions {
  /**
   * Where image labels come from: `identity-records` (default when the file has them: the i-th
   * identity range is class i, no image record is read at open) or `headers` (every image
   * record's own label; reads each record header once).
   */
  readonly labelSource?: 'identity-records' | 'headers';
}

/**
 * A `.rec`/`.idx` pair opened for reading.
 *
 * @example
 * ```ts
 * const rec = InsightfaceRec.open('faces_emore/train');
 * console.log(rec.images.length, rec.numClasses);
 * const { label, data } = rec.readImage(0); // data: the JPEG bytes
 * rec.close();
 * ```
 */
export class InsightfaceRec {
  private constructor(
    readonly recPath: string,
    readonly idxPath: string | undefined,
    private readonly file: RecordFile,
    readonly images: readonly RecImageEntry[],
    readonly numClasses: number,
    /** Identity ranges when the file has the header-0 layout. */
    readonly identities: readonly RecIdentityRange[] | undefined,
    /** The key-0 header when the file has the header-0 layout. */
    readonly header0: IRHeader | undefined,
  ) {}

  /** Opens `path` (a prefix, or either file). A missing `.idx` is rebuilt by scanning the `.rec`. */
  static open(path: string, options: OpenRecOptions = {}): InsightfaceRec {
    const { rec, idx } = recordPaths(path);
    if (!existsSync(rec)) throw dataError('missing-file', rec, `RecordIO file not found: ${rec}`);
    const file = RecordFile.open(rec);
    try {
      let entries: RecordIndexEntry[];
      let idxPath: string | undefined = idx;
      if (existsSync(idx)) entries = readRecordIndex(idx);
      else {
        idxPath = undefined;
        entries = [];
        let key = 0;
        for (const { offset } of file.records()) entries.push({ key: key++, offset });
      }
      const offsets = new Map<number, number>();
      for (const e of entries) offsets.set(e.key, e.offset);
      const offsetOf = (key: number): number => {
        const o = offsets.get(key);
        if (o === undefined) throw dataError('bad-container', idxPath ?? rec, `record key ${key} is missing from the index: ${idxPath ?? rec}`);
        return o;
      };
      const first = offsets.has(0) ? unpackIRHeader(file.readAt(offsetOf(0)), rec).header : undefined;
      const layered = first !== undefined && first.flag > 0 && Array.isArray(first.label) && first.label.length >= 2;
      if (layered) {
        const [imagesEnd, identitiesEnd] = (first.label as number[]).map((v) => Math.round(v)) as [number, number];
        const identities: RecIdentityRange[] = [];
        for (let key = imagesEnd; key < identitiesEnd; key++) {
          const { header } = unpackIRHeader(file.readAt(offsetOf(key)), rec);
          const range = Array.isArray(header.label) ? header.label : [];
          if (range.length < 2) throw dataError('bad-container', rec, `identity record ${key} has no [start, end) label: ${rec}`);
          const start = Math.round(range[0] as number);
          const end = Math.round(range[1] as number);
          const prevEnd = identities.at(-1)?.end ?? 1;
          if (start < prevEnd || end < start || end > imagesEnd) {
            throw dataError('bad-container', rec, `identity record ${key} has range [${start}, ${end}) outside or overlapping the image keys [1, ${imagesEnd}): ${rec}`);
          }
          identities.push({ start, end });
        }
        const images: RecImageEntry[] = [];
        if (options.labelSource === 'headers') {
          for (let key = 1; key < imagesEnd; key++) {
            const offset = offsetOf(key);
            images.push({ key, offset, label: readLabel(file, offset, rec) });
          }
        } else {
          identities.forEach((r, label) => {
            for (let key = r.start; key < r.end; key++) images.push({ key, offset: offsetOf(key), label });
          });
        }
        const numClasses = options.labelSource === 'headers' ? maxLabel(images) + 1 : identities.length;
        return new InsightfaceRec(rec, idxPath, file, images, numClasses, identities, first);
      }
      const images = entries.map((e) => ({ key: e.key, offset: e.offset, label: readLabel(file, e.offset, rec) }));
      return new InsightfaceRec(rec, idxPath, file, images, maxLabel(images) + 1, undefined, undefined);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /** Reads image `index` (into {@link InsightfaceRec.images}): its header and encoded bytes. */
  readImage(index: number): { label: number; header: IRHeader; data: Uint8Array } {
    const entry = this.images[index];
    if (!entry) throw new RangeError(`image index ${index} out of range [0, ${this.images.length})`);
    const { header, data } = unpackIRHeader(this.file.readAt(entry.offset), this.recPath);
    return { label: entry.label, header, data };
  }

  close(): void {
    this.file.close();
  }
}

function readLabel(file: RecordFile, offset: number, rec: string): number {
  const { header } = unpackIRHeader(file.readAt(offset), rec);
  const label = recordClass(header);
  if (!Number.isFinite(label) || label < 0 || Math.round(label) !== label) {
    throw dataError('bad-container', rec, `record at byte ${offset} has label ${label}, not a class index: ${rec}`);
  }
  return label;
}

function maxLabel(images: readonly RecImageEntry[]): number {
  let m = -1;
  for (const i of images) if (i.label > m) m = i.label;
  return m;
}

/** What {@link InsightfaceRecWriter.close} wrote. */
export interface RecWriteSummary {
  readonly recPath: string;
  readonly idxPath: string;
  readonly images: number;
  readonly identities: number;
  readonly bytes: number;
}

// Keys are stored as float32 in identity and header records: exact up to 2^24.
const MAX_EXACT_KEY = 1 << 24;

/**
 * Writes the insightface header-0 layout. Add images grouped by class in increasing class order;
 * a class with no image gets an empty identity range, so class index = identity index always.
 *
 * @example
 * ```ts
 * const w = InsightfaceRecWriter.create('out/train');
 * w.addImage(0, jpegA); w.addImage(0, jpegB); w.addImage(1, jpegC);
 * const summary = w.close(); // out/train.rec, out/train.idx
 * ```
 */
export class InsightfaceRecWriter {
  private readonly writer: RecordIOWriter;
  private readonly headerOffset: number;
  private readonly headerLength: number;
  private readonly ranges: RecIdentityRange[] = [];
  private nextKey = 1;
  private currentStart = 1;
  private current = -1;
  private closed: RecWriteSummary | undefined;

  private constructor(readonly recPath: string, readonly idxPath: string) {
    this.writer = RecordIOWriter.create(recPath, idxPath);
    // Key 0 first, with placeholder values; rewritten in place (same size) on close.
    this.headerOffset = this.writer.write(packIRHeader({ label: [0, 0], id: 0, id2: 0 }, new Uint8Array(0)), 0);
    this.headerLength = this.writer.position - this.headerOffset;
  }

  /** Creates `<prefix>.rec` and `<prefix>.idx`. */
  static create(prefix: string): InsightfaceRecWriter {
    const { rec, idx } = recordPaths(prefix);
    return new InsightfaceRecWriter(rec, idx);
  }

  /** Appends one encoded image (JPEG bytes, as insightface stores) of class `label`. */
  addImage(label: number, data: Uint8Array): void {
    if (this.closed) throw new Error('InsightfaceRecWriter is closed');
    if (!Number.isInteger(label) || label < 0) throw new Error(`class label must be a non-negative integer, got ${label}`);
    if (label < this.current) throw new Error(`images must be added in increasing class order (got class ${label} after ${this.current})`);
    this.advanceTo(label);
    if (this.nextKey >= MAX_EXACT_KEY) throw new Error(`more than ${MAX_EXACT_KEY - 1} images: record keys would not be exact in the float32 labels of the insightface layout`);
    const key = this.nextKey++;
    this.writer.write(packIRHeader({ label, id: key, id2: 0 }, data), key);
  }

  private advanceTo(label: number): void {
    while (this.current < label) {
      if (this.current >= 0) this.ranges.push({ start: this.currentStart, end: this.nextKey });
      this.current++;
      this.currentStart = this.nextKey;
    }
  }

  /** Writes the identity records and the key-0 header, then the `.idx`. `numClasses` pads empty trailing classes. */
  close(numClasses?: number): RecWriteSummary {
    if (this.closed) return this.closed;
    const classes = Math.max(numClasses ?? 0, this.current + 1);
    this.advanceTo(classes);
    const imagesEnd = this.nextKey;
    let key = imagesEnd;
    for (const r of this.ranges) this.writer.write(packIRHeader({ label: [r.start, r.end], id: key, id2: 0 }, new Uint8Array(0)), key++);
    this.writer.overwrite(this.headerOffset, packIRHeader({ label: [imagesEnd, key], id: 0, id2: 0 }, new Uint8Array(0)), this.headerLength);
    const bytes = this.writer.position;
    this.writer.close();
    this.closed = { recPath: this.recPath, idxPath: this.idxPath, images: imagesEnd - 1, identities: this.ranges.length, bytes };
    return this.closed;
  }
}
