/**
 * MXNet's image-record header (`mx.recordio.IRHeader`): `flag u32 · label f32 · id u64 · id2 u64`,
 * 24 bytes little-endian, followed by the payload. When `flag > 0` the label is an array of `flag`
 * float32 values stored between the header and the payload (and the scalar label field is 0), as
 * `mx.recordio.pack` does for non-scalar labels.
 */
import { dataError } from '../errors.js';

/** The header size in bytes. */
export const IR_HEADER_SIZE = 24;

/** A decoded header. `label` is a number when `flag === 0`, else an array of `flag` numbers. */
export interface IRHeader {
  readonly flag: number;
  readonly label: number | readonly number[];
  readonly id: number;
  readonly id2: number;
}

/**
 * Packs a header and payload like `mx.recordio.pack`: an array label sets `flag` to its length.
 *
 * @example
 * ```ts
 * packIRHeader({ label: 7, id: 12 }, jpegBytes);       // an image record of class 7
 * packIRHeader({ label: [1, 45], id: 300 }, new Uint8Array()); // an identity record: images 1..44
 * ```
 */
export function packIRHeader(header: { label: number | readonly number[]; id?: number; id2?: number }, payload: Uint8Array): Uint8Array {
  const labels = typeof header.label === 'number' ? undefined : header.label;
  const extra = labels ? labels.length * 4 : 0;
  const out = new Uint8Array(IR_HEADER_SIZE + extra + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, labels ? labels.length : 0, true);
  view.setFloat32(4, labels ? 0 : (header.label as number), true);
  view.setBigUint64(8, BigInt(header.id ?? 0), true);
  view.setBigUint64(16, BigInt(header.id2 ?? 0), true);
  if (labels) labels.forEach((v, i) => view.setFloat32(IR_HEADER_SIZE + 4 * i, v, true));
  out.set(payload, IR_HEADER_SIZE + extra);
  return out;
}

/**
 * Splits a record payload into its header and data, like `mx.recordio.unpack`.
 *
 * @example
 * ```ts
 * const { header, data } = unpackIRHeader(recordFile.readAt(offset));
 * ```
 */
export function unpackIRHeader(record: Uint8Array, file = '<memory>'): { header: IRHeader; data: Uint8Array } {
  if (record.length < IR_HEADER_SIZE) throw dataError('bad-container', file, `record of ${record.length} bytes is too short for an IRHeader (24 bytes): ${file}`);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const flag = view.getUint32(0, true);
  const toNumber = (v: bigint): number => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw dataError('bad-container', file, `IRHeader id ${v} is beyond 2^53: ${file}`);
    return Number(v);
  };
  const id = toNumber(view.getBigUint64(8, true));
  const id2 = toNumber(view.getBigUint64(16, true));
  if (flag === 0) return { header: { flag, label: view.getFloat32(4, true), id, id2 }, data: record.subarray(IR_HEADER_SIZE) };
  const end = IR_HEADER_SIZE + 4 * flag;
  if (end > record.length) throw dataError('bad-container', file, `IRHeader announces ${flag} labels but the record has ${record.length} bytes: ${file}`);
  const label: number[] = [];
  for (let i = 0; i < flag; i++) label.push(view.getFloat32(IR_HEADER_SIZE + 4 * i, true));
  return { header: { flag, label, id, id2 }, data: record.subarray(end) };
}

/** The class of an image record: the scalar label, or the first value of an array label (as arcface_torch does). */
export function recordClass(header: IRHeader): number {
  return typeof header.label === 'number' ? header.label : (header.label[0] ?? Number.NaN);
}
