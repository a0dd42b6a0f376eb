/**
 * Where an example's encoded image lives, in a form that can be posted to a worker thread:
 * a file, a record of a `.rec` file, or bytes already in memory.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dataError, errorMessage } from '../errors.js';
import { recordClass, unpackIRHeader } from '../formats/ir-header.js';
import { RecordFile } from '../formats/recordio.js';

export type ImageRef =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'record'; readonly recPath: string; readonly offset: number; readonly key: number }
  | { readonly kind: 'bytes'; readonly name: string; readonly bytes: Uint8Array };

/** A human-readable identifier: the file path, `rec#key`, or the given name (the sample id training batches carry in `ids`). */
export function refId(ref: ImageRef): string {
  switch (ref.kind) {
    case 'file':
      return ref.path;
    case 'record':
      return `${ref.recPath}#${ref.key}`;
    case 'bytes':
      return ref.name;
  }
}

/** Open `.rec` files, one descriptor per path, shared by the reads of one thread. */
export class RecordFileCache {
  private readonly files = new Map<string, RecordFile>();

  get(path: string): RecordFile {
    let f = this.files.get(path);
    if (!f) {
      f = RecordFile.open(path);
      this.files.set(path, f);
    }
    return f;
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
  }
}

/** The encoded bytes behind a ref, and the class stored in the record header for `.rec` refs. */
export async function readRef(ref: ImageRef, records: RecordFileCache): Promise<{ bytes: Uint8Array; recordLabel?: number }> {
  switch (ref.kind) {
    case 'bytes':
      return { bytes: ref.bytes };
    case 'file':
      try {
        const b = await readFile(ref.path);
        return { bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
      } catch (e) {
        throw fileError(e, ref.path);
      }
    case 'record':
      return readRefSync(ref, records);
  }
}

/** Synchronous {@link readRef}. */
export function readRefSync(ref: ImageRef, records: RecordFileCache): { bytes: Uint8Array; recordLabel?: number } {
  switch (ref.kind) {
    case 'bytes':
      return { bytes: ref.bytes };
    case 'file':
      try {
        const b = readFileSync(ref.path);
        return { bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
      } catch (e) {
        throw fileError(e, ref.path);
      }
    case 'record': {
      const id = refId(ref);
      const { header, data } = unpackIRHeader(records.get(ref.recPath).readAt(ref.offset), id);
      return { bytes: data, recordLabel: recordClass(header) };
    }
  }
}

function fileError(e: unknown, path: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  return dataError(code === 'ENOENT' ? 'missing-file' : 'unreadable', path, `${code === 'ENOENT' ? 'image file not found' : 'cannot read image file'}: ${path} (${errorMessage(e)})`, { cause: e });
}
