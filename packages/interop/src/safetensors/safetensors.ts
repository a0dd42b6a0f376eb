import { ITEM_SIZE, numel, rawTensor, type RawDtype, type RawStateDict } from '../tensors/raw-tensor.js';

/** safetensors' dtype names ↔ ours. */
const FROM_SAFETENSORS: Readonly<Record<string, RawDtype>> = {
  F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};
const TO_SAFETENSORS = Object.fromEntries(Object.entries(FROM_SAFETENSORS).map(([k, v]) => [v, k])) as Record<RawDtype, string>;

/** Headers larger than this are refused (the reference implementation's limit is 100 MB). */
const MAX_HEADER = 100_000_000;

export interface SafetensorsFile {
  readonly tensors: RawStateDict;
  /** The header's `__metadata__` (string → string). */
  readonly metadata: Record<string, string>;
}

/**
 * Reads a `.safetensors` file: an 8-byte little-endian header length, a JSON header
 * (`name → {dtype, shape, data_offsets}` and optional `__metadata__`), then the raw
 * little-endian bytes. Tensors are views into `bytes` (no copy). Every offset is checked: a
 * truncated or overlapping file gets an error naming the tensor.
 *
 * @example
 * ```ts
 * const { tensors } = readSafetensors(await readFile('model.safetensors'), 'model.safetensors');
 * tensors.get('conv1.weight'); // { dtype: 'float32', shape: [64, 3, 3, 3], bytes }
 * ```
 */
export function readSafetensors(bytes: Uint8Array, source = '<memory>'): SafetensorsFile {
  const fail = (msg: string): never => {
    throw new Error(`safetensors ${source}: ${msg}`);
  };
  if (bytes.byteLength < 8) fail(`${bytes.byteLength} bytes is too short for a safetensors file (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = Number(view.getBigUint64(0, true));
  if (headerSize > MAX_HEADER) fail(`header length ${headerSize} is not plausible (not a safetensors file?)`);
  if (8 + headerSize > bytes.byteLength) fail(`the header needs ${headerSize} bytes but the file ends after ${bytes.byteLength - 8} (truncated?)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerSize))) as Record<string, unknown>;
  } catch (error) {
    return fail(`the header is not JSON (${error instanceof Error ? error.message : String(error)}); not a safetensors file?`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + headerSize;
  const dataLength = bytes.byteLength - dataStart;
  const tensors: RawStateDict = new Map();
  const spans: [number, number, string][] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (info ?? {}) as Record<string, string>;
      continue;
    }
    const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = FROM_SAFETENSORS[String(e.dtype)];
    if (!dtype) fail(`"${name}" has dtype ${JSON.stringify(e.dtype)}; known: ${Object.keys(FROM_SAFETENSORS).join(', ')}`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`"${name}" has an invalid shape ${JSON.stringify(shape)}`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      fail(`"${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) fail(`"${name}" ends at byte ${end} of the data but the file has ${dataLength} (truncated?)`);
    const need = numel(shape as number[]) * ITEM_SIZE[dtype as RawDtype];
    if (end - begin !== need) fail(`"${name}": ${dtype} [${(shape as number[]).join(', ')}] needs ${need} bytes, data_offsets span ${end - begin}`);
    spans.push([begin, end, name]);
    tensors.set(name, rawTensor(dtype as RawDtype, shape as number[], bytes.subarray(dataStart + begin, dataStart + end), `"${name}"`));
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    const [prevBegin, prevEnd, prev] = spans[i - 1] as [number, number, string];
    const [begin, , name] = spans[i] as [number, number, string];
    if (begin < prevEnd && prevEnd > prevBegin) fail(`"${name}" overlaps "${prev}"`);
  }
  return { tensors, metadata };
}

/**
 * Writes tensors as `.safetensors` (header padded with spaces to 8 bytes, as the reference
 * implementation does; tensors in the map's order).
 *
 * @example
 * ```ts
 * await writeFile('model.safetensors', writeSafetensors(tensors, { format: 'pt' }));
 * ```
 */
export function writeSafetensors(tensors: RawStateDict, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: TO_SAFETENSORS[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let text = new TextEncoder().encode(JSON.stringify(header));
  const padded = text.length + ((8 - (text.length % 8)) % 8);
  if (padded !== text.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(text);
    text = withSpaces;
  }
  const out = new Uint8Array(8 + text.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  let at = 8 + text.length;
  for (const t of tensors.values()) {
    out.set(t.bytes, at);
    at += t.bytes.byteLength;
  }
  return out;
}
