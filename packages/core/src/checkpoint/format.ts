/**
 * The checkpoint container: `FRCKPT01`, a little-endian u32 header length, a JSON header, then the
 * raw tensor bytes. The header lists each tensor's name, dtype, shape and offset, the data length
 * and its CRC-32, so a truncated or damaged file is detected on load. Backend-neutral: a checkpoint
 * written on webgpu loads on wasm and the reverse.
 */
import { crc32 } from './crc32.js';

const MAGIC = 'FRCKPT01';
const VERSION = 1;

export type HostTensorData = Float32Array | Int32Array;

export interface HostTensor {
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
  readonly data: HostTensorData;
}

export interface CheckpointContents {
  /** Plain JSON: step, configuration, RNG and plugin state… */
  readonly meta: Readonly<Record<string, unknown>>;
  readonly tensors: ReadonlyMap<string, HostTensor>;
}

interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  byteLength: number;
}

interface Header {
  format: 'fr-checkpoint';
  version: number;
  meta: Record<string, unknown>;
  tensors: TensorEntry[];
  dataBytes: number;
  crc32: number;
}

/** Thrown when bytes are not a readable checkpoint; says what is wrong and where. */
export class CheckpointFormatError extends Error {
  constructor(source: string, detail: string) {
    super(`Cannot read checkpoint ${source}: ${detail}`);
    this.name = 'CheckpointFormatError';
  }
}

export function encodeCheckpoint(contents: CheckpointContents): Uint8Array {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of contents.tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== expected) throw new Error(`checkpoint tensor "${name}": ${t.data.length} values for shape [${t.shape}]`);
    entries.push({ name, dtype: t.dtype, shape: [...t.shape], offset, byteLength: t.data.byteLength });
    offset += t.data.byteLength;
  }
  const data = new Uint8Array(offset);
  for (const entry of entries) {
    const t = contents.tensors.get(entry.name) as HostTensor;
    data.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), entry.offset);
  }
  const header: Header = { format: 'fr-checkpoint', version: VERSION, meta: { ...contents.meta }, tensors: entries, dataBytes: offset, crc32: crc32(data) };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(MAGIC.length + 4 + headerBytes.length + data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, headerBytes.length, true);
  out.set(headerBytes, MAGIC.length + 4);
  out.set(data, MAGIC.length + 4 + headerBytes.length);
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, source = '(bytes)'): CheckpointContents {
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new CheckpointFormatError(source, 'not an @fr checkpoint (bad magic bytes)');
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  const dataStart = MAGIC.length + 4 + headerLength;
  if (dataStart > bytes.length) throw new CheckpointFormatError(source, 'file is truncated inside its header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, dataStart))) as Header;
  } catch (error) {
    throw new CheckpointFormatError(source, `header is not valid JSON (${(error as Error).message})`);
  }
  if (header.format !== 'fr-checkpoint') throw new CheckpointFormatError(source, `unknown format "${String(header.format)}"`);
  if (header.version > VERSION) throw new CheckpointFormatError(source, `version ${header.version} is newer than this @fr/core (reads ≤ ${VERSION})`);
  const data = bytes.subarray(dataStart);
  if (data.length !== header.dataBytes) {
    throw new CheckpointFormatError(source, `file is truncated: ${data.length} of ${header.dataBytes} data bytes present`);
  }
  if (crc32(data) !== header.crc32) throw new CheckpointFormatError(source, 'data is corrupted (CRC-32 mismatch)');
  const tensors = new Map<string, HostTensor>();
  for (const entry of header.tensors) {
    // Copy into a fresh, aligned buffer: offsets need not be 4-byte aligned, and a Node Buffer's
    // slice() is a view into a shared pool, not a copy.
    const raw = new Uint8Array(entry.byteLength);
    raw.set(data.subarray(entry.offset, entry.offset + entry.byteLength));
    const values = entry.dtype === 'int32' ? new Int32Array(raw.buffer) : new Float32Array(raw.buffer);
    tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data: values });
  }
  return { meta: header.meta, tensors };
}
