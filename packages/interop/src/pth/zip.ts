import { crc32 } from '@fr/core';

/**
 * The zip container `torch.save` writes (PyTorch's `PyTorchStreamWriter`, miniz): every entry
 * stored uncompressed, its data aligned to 64 bytes by an `FB` extra field in the local header,
 * zip64 records only past 4 GiB. Only what that layout needs is read or written here.
 */

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const END64_LOCATOR = 0x07064b50;
/** PyTorch aligns every record's data to 64 bytes (`kFieldAlignment`). */
const ALIGNMENT = 64;
/** Id of the padding extra field PyTorch writes ("FB"). */
const PADDING_FIELD = 0x4246;

export interface ZipEntry {
  readonly name: string;
  /** The stored bytes (a view into the archive). */
  readonly data: Uint8Array;
}

/**
 * Reads the entries of a stored (uncompressed) zip archive, checking every size, offset and
 * CRC-32; a truncated or damaged file gets an error naming the entry (or the missing record).
 */
export function readZip(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => {
    const v = view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('a zip64 size is too large');
    return Number(v);
  };
  let end = -1;
  for (let at = bytes.byteLength - 22; at >= Math.max(0, bytes.byteLength - 22 - 65535); at--) {
    if (u32(at) === END) {
      end = at;
      break;
    }
  }
  if (end < 0) {
    const legacy = bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] <= 5;
    fail(legacy
      ? 'this is the legacy (pre-1.6, non-zip) torch.save format; re-save it with a current torch (torch.save(torch.load(f), f2))'
      : 'no zip end-of-central-directory record: the file is truncated or not a torch.save archive');
  }
  let count = u16(end + 10);
  let dirSize = u32(end + 12);
  let dirOffset = u32(end + 16);
  if ((count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) && end >= 20 && u32(end - 20) === END64_LOCATOR) {
    const at = u64(end - 20 + 8);
    if (at + 56 > bytes.byteLength || u32(at) !== END64) fail('the zip64 end record is missing (truncated?)');
    count = u64(at + 32);
    dirSize = u64(at + 40);
    dirOffset = u64(at + 48);
  }
  if (dirOffset + dirSize > end) fail('the zip central directory lies outside the file (truncated?)');
  const entries = new Map<string, ZipEntry>();
  let at = dirOffset;
  const utf8 = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || u32(at) !== CENTRAL) fail(`zip central directory entry ${i} is damaged`);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let size = u32(at + 20);
    let rawSize = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let offset = u32(at + 42);
    const name = utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // zip64: the 0xffffffff fields follow, in this order, in extra field 0x0001.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
      const id = u16(e);
      const length = u16(e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        if (rawSize === 0xffffffff) { rawSize = u64(p); p += 8; }
        if (size === 0xffffffff) { size = u64(p); p += 8; }
        if (offset === 0xffffffff) offset = u64(p);
      }
      e += 4 + length;
    }
    if (method !== 0) fail(`zip entry "${name}" is compressed (method ${method}); torch.save stores entries uncompressed`);
    if (size !== rawSize) fail(`zip entry "${name}" has inconsistent sizes`);
    if (offset + 30 > bytes.byteLength || u32(offset) !== LOCAL) fail(`zip entry "${name}": local header missing (truncated?)`);
    const start = offset + 30 + u16(offset + 26) + u16(offset + 28);
    if (start + size > bytes.byteLength) fail(`zip entry "${name}" needs ${size} bytes at ${start} but the file ends at ${bytes.byteLength} (truncated)`);
    const data = bytes.subarray(start, start + size);
    if (crc32(data) !== crc) fail(`zip entry "${name}" is corrupted (CRC-32 mismatch)`);
    entries.set(name, { name, data });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Writes entries as PyTorch does: stored, data aligned to 64 bytes through an `FB` padding field,
 * fixed timestamps (so equal inputs give equal files).
 */
export function writeZip(entries: readonly ZipEntry[]): Uint8Array {
  const utf8 = new TextEncoder();
  const names = entries.map((e) => utf8.encode(e.name));
  // Layout first: local header offsets and padding.
  const layout: { offset: number; padding: number }[] = [];
  let size = 0;
  entries.forEach((entry, i) => {
    const headerEnd = size + 30 + (names[i] as Uint8Array).length + 4;
    const padding = (ALIGNMENT - (headerEnd % ALIGNMENT)) % ALIGNMENT;
    layout.push({ offset: size, padding });
    size = headerEnd + padding + entry.data.byteLength;
  });
  const dirOffset = size;
  const dirSize = names.reduce((n, name) => n + 46 + name.length, 0);
  const total = dirOffset + dirSize + 22;
  if (total > 0xffffffff || entries.length > 0xffff) throw new Error('writing archives over 4 GiB (zip64) is not supported');
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const crcs = entries.map((e) => crc32(e.data));
  entries.forEach((entry, i) => {
    const { offset, padding } = layout[i] as { offset: number; padding: number };
    const name = names[i] as Uint8Array;
    view.setUint32(offset, LOCAL, true);
    view.setUint16(offset + 4, 20, true); // version needed: 2.0
    view.setUint32(offset + 14, crcs[i] as number, true);
    view.setUint32(offset + 18, entry.data.byteLength, true);
    view.setUint32(offset + 22, entry.data.byteLength, true);
    view.setUint16(offset + 26, name.length, true);
    view.setUint16(offset + 28, 4 + padding, true);
    out.set(name, offset + 30);
    view.setUint16(offset + 30 + name.length, PADDING_FIELD, true);
    view.setUint16(offset + 32 + name.length, padding, true);
    out.fill(0x5a, offset + 34 + name.length, offset + 34 + name.length + padding); // 'Z', as PyTorch pads
    out.set(entry.data, offset + 34 + name.length + padding);
  });
  let at = dirOffset;
  entries.forEach((entry, i) => {
    const name = names[i] as Uint8Array;
    view.setUint32(at, CENTRAL, true);
    view.setUint16(at + 4, 20, true);
    view.setUint16(at + 6, 20, true);
    view.setUint32(at + 16, crcs[i] as number, true);
    view.setUint32(at + 20, entry.data.byteLength, true);
    view.setUint32(at + 24, entry.data.byteLength, true);
    view.setUint16(at + 28, name.length, true);
    view.setUint32(at + 42, (layout[i] as { offset: number }).offset, true);
    out.set(name, at + 46);
    at += 46 + name.length;
  });
  view.setUint32(at, END, true);
  view.setUint16(at + 8, entries.length, true);
  view.setUint16(at + 10, entries.length, true);
  view.setUint32(at + 12, dirSize, true);
  view.setUint32(at + 16, dirOffset, true);
  return out;
}
