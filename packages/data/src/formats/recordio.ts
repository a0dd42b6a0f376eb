/**
 * MXNet/dmlc RecordIO, read and written without MXNet.
 *
 * A record is `magic (u32 0xced7230a) · lrecord (u32: cflag << 29 | length) · payload · zero
 * padding to 4 bytes`, little-endian. A payload containing the magic word at a 4-byte aligned
 * offset is split there into parts (cflag 1 = first, 2 = middle, 3 = last; 0 = whole record) and
 * the magic word itself is dropped from the stream, exactly as dmlc-core's `RecordIOWriter` does;
 * the reader puts it back. The `.idx` file is text, one `key\toffset` line per record, as written by
 * `mx.recordio.MXIndexedRecordIO`.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { dataError } from '../errors.js';

/** The RecordIO magic word. */
export const RECORDIO_MAGIC = 0xced7230a;
const MAGIC_BYTES = new Uint8Array([0x0a, 0x23, 0xd7, 0xce]);
const LENGTH_MASK = (1 << 29) - 1;

const align4 = (n: number): number => (n + 3) & ~3;

function header(cflag: number, length: number): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint32(0, RECORDIO_MAGIC, true);
  v.setUint32(4, ((cflag << 29) | length) >>> 0, true);
  return h;
}

/**
 * The bytes of one record as dmlc-core writes them (split at embedded magic words, padded).
 *
 * @example
 * ```ts
 * const bytes = encodeRecord(packIRHeader({ label: 3, id: 1 }, jpegBytes));
 * ```
 */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  if (payload.length > LENGTH_MASK) throw new Error(`RecordIO records must be under 2^29 bytes, got ${payload.length}`);
  const parts: Uint8Array[] = [];
  let start = 0;
  const lowerAlign = payload.length & ~3;
  for (let i = 0; i < lowerAlign; i += 4) {
    if (payload[i] === 0x0a && payload[i + 1] === 0x23 && payload[i + 2] === 0xd7 && payload[i + 3] === 0xce) {
      parts.push(header(start === 0 ? 1 : 2, i - start), payload.subarray(start, i));
      start = i + 4;
    }
  }
  parts.push(header(start !== 0 ? 3 : 0, payload.length - start), payload.subarray(start));
  const padding = align4(payload.length) - payload.length;
  if (padding > 0) parts.push(new Uint8Array(padding));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Decodes the record starting at `offset` of an in-memory RecordIO stream.
 * Returns the payload and the offset of the next record.
 *
 * @example
 * ```ts
 * const { payload, next } = decodeRecord(encodeRecord(Uint8Array.of(1, 2, 3)), 0); // next === 12
 * ```
 */
export function decodeRecord(bytes: Uint8Array, offset: number, file = '<memory>'): { payload: Uint8Array; next: number } {
  const r = tryDecodeRecord(bytes, offset, file);
  if (r === undefined) throw dataError('bad-container', file, `RecordIO record at byte ${offset} is cut short (data ends at byte ${bytes.length}): ${file}`);
  return r;
}

/** Like {@link decodeRecord} but `undefined` when `bytes` ends before the record does. */
function tryDecodeRecord(bytes: Uint8Array, offset: number, file: string, base = 0): { payload: Uint8Array; next: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Uint8Array[] = [];
  let pos = offset;
  for (;;) {
    if (pos + 8 > bytes.length) return undefined;
    const magic = view.getUint32(pos, true);
    if (magic !== RECORDIO_MAGIC) {
      throw dataError('bad-container', file, `not a RecordIO record at byte ${base + pos} (magic 0x${magic.toString(16)}, expected 0xced7230a): ${file}`);
    }
    const lrec = view.getUint32(pos + 4, true);
    const cflag = lrec >>> 29;
    const length = lrec & LENGTH_MASK;
    if (pos + 8 + length > bytes.length) return undefined;
    chunks.push(bytes.subarray(pos + 8, pos + 8 + length));
    pos += 8 + align4(length);
    if (cflag === 0 || cflag === 3) break;
    chunks.push(MAGIC_BYTES);
  }
  const payload = chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks);
  return { payload, next: pos };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** One `.idx` line. */
export interface RecordIndexEntry {
  readonly key: number;
  readonly offset: number;
}

/**
 * Parses a `.idx` file (`key\toffset` per line), in file order.
 *
 * @example
 * ```ts
 * const entries = readRecordIndex('train.idx'); // [{ key: 0, offset: 0 }, { key: 1, offset: 40 }, …]
 * ```
 */
export function readRecordIndex(idxPath: string): RecordIndexEntry[] {
  const text = readFileSync(idxPath, 'utf8');
  const entries: RecordIndexEntry[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const s = raw.trim();
    if (s === '') continue;
    const m = /^(-?\d+)\s+(\d+)$/.exec(s);
    if (!m) throw dataError('bad-line', idxPath, `${idxPath}:${line}: expected "key<TAB>offset", got ${JSON.stringify(s.slice(0, 80))}`, { line });
    entries.push({ key: Number(m[1]), offset: Number(m[2]) });
  }
  return entries;
}

/**
 * Random and sequential access to a `.rec` file through a file descriptor (synchronous reads, so
 * it works the same in worker threads and in the main thread).
 *
 * @example
 * ```ts
 * const f = RecordFile.open('train.rec');
 * for (const { offset, payload } of f.records()) console.log(offset, unpackIRHeader(payload).header.label);
 * f.close();
 * ```
 */
export class RecordFile {
  private fd: number | undefined;
  readonly size: number;

  private constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  /** Opens `path` for reading. */
  static open(path: string): RecordFile {
    return new RecordFile(path);
  }

  private read(position: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new Error(`RecordFile ${this.path} is closed`);
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? buf : buf.subarray(0, got);
  }

  /** The payload of the record starting at byte `offset`. */
  readAt(offset: number): Uint8Array {
    const chunks: Uint8Array[] = [];
    let pos = offset;
    for (;;) {
      const head = this.read(pos, 8);
      if (head.length < 8) throw dataError('bad-container', this.path, `RecordIO record at byte ${pos} is cut short (file has ${this.size} bytes): ${this.path}`);
      const view = new DataView(head.buffer);
      const magic = view.getUint32(0, true);
      if (magic !== RECORDIO_MAGIC) {
        throw dataError('bad-container', this.path, `not a RecordIO record at byte ${pos} (magic 0x${magic.toString(16)}, expected 0xced7230a): ${this.path}`);
      }
      const lrec = view.getUint32(4, true);
      const cflag = lrec >>> 29;
      const length = lrec & LENGTH_MASK;
      const body = this.read(pos + 8, length);
      if (body.length < length) throw dataError('bad-container', this.path, `RecordIO record at byte ${pos} is cut short (needs ${length} bytes): ${this.path}`);
      chunks.push(body);
      pos += 8 + align4(length);
      if (cflag === 0 || cflag === 3) break;
      chunks.push(MAGIC_BYTES);
    }
    return chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks);
  }

  /** Every record in file order, with its byte offset (buffered sequential reads). */
  *records(): Generator<{ offset: number; payload: Uint8Array }> {
    const block = 1 << 22;
    let bufStart = 0;
    let buf = this.read(0, Math.min(block, this.size));
    let pos = 0;
    while (pos < this.size) {
      const r = tryDecodeRecord(buf, pos - bufStart, this.path, bufStart);
      const atEnd = bufStart + buf.length >= this.size;
      if (r && (r.next <= buf.length || atEnd)) {
        yield { offset: pos, payload: r.payload };
        pos = bufStart + r.next;
        continue;
      }
      if (atEnd) {
        throw dataError('bad-container', this.path, `RecordIO record at byte ${pos} is cut short (file has ${this.size} bytes): ${this.path}`);
      }
      // The record continues past the buffer: keep its start and read on.
      const keep = buf.subarray(pos - bufStart);
      const more = this.read(bufStart + buf.length, Math.max(block, keep.length));
      const grown = new Uint8Array(keep.length + more.length);
      grown.set(keep);
      grown.set(more, keep.length);
      bufStart = pos;
      buf = grown;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Writes a `.rec` and its `.idx` (written on {@link RecordIOWriter.close}).
 *
 * @example
 * ```ts
 * const w = RecordIOWriter.create('out.rec', 'out.idx');
 * w.write(payload, 1);
 * w.close();
 * ```
 */
export class RecordIOWriter {
  private fd: number | undefined;
  private pos = 0;
  private readonly index: RecordIndexEntry[] = [];

  private constructor(
    readonly recPath: string,
    readonly idxPath: string | undefined,
  ) {
    this.fd = openSync(recPath, 'w');
  }

  /** Creates (truncates) `recPath`; `idxPath` is written on close when given. */
  static create(recPath: string, idxPath?: string): RecordIOWriter {
    return new RecordIOWriter(recPath, idxPath);
  }

  /** Byte offset where the next record starts. */
  get position(): number {
    return this.pos;
  }

  /** Appends a record; `key` (default: the record count) goes to the index. Returns its offset. */
  write(payload: Uint8Array, key: number = this.index.length): number {
    const bytes = encodeRecord(payload);
    const offset = this.pos;
    this.writeBytes(bytes, offset);
    this.pos += bytes.length;
    this.index.push({ key, offset });
    return offset;
  }

  /**
   * Rewrites the record at `offset` in place; the new record must encode to the same length
   * (used to fill in a fixed-size header record once the counts are known).
   */
  overwrite(offset: number, payload: Uint8Array, previousLength: number): void {
    const bytes = encodeRecord(payload);
    if (bytes.length !== previousLength) throw new Error(`RecordIOWriter.overwrite: record length changed (${previousLength} → ${bytes.length})`);
    this.writeBytes(bytes, offset);
  }

  private writeBytes(bytes: Uint8Array, position: number): void {
    if (this.fd === undefined) throw new Error(`RecordIOWriter for ${this.recPath} is closed`);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, position + done);
  }

  /** Closes the `.rec` and writes the `.idx`. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    if (this.idxPath) writeFileSync(this.idxPath, this.index.map((e) => `${e.key}\t${e.offset}\n`).join(''));
  }
}
