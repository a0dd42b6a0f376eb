/**
 * A small Python pickle reader and writer for plain data: None, bool, int, float, str, bytes,
 * bytearray, list, tuple and dict — what insightface's verification `.bin` files hold. It reads
 * protocols 0–5 (in-band data), including Python 2 pickles whose `str` values hold raw bytes
 * (returned as `Uint8Array`, like `pickle.load(f, encoding='bytes')`) and Python 3 protocol-2
 * bytes (`_codecs.encode(…, 'latin1')`). It never executes code: a global that is neither one of
 * those few built-ins nor named by the caller (`PickleLoadOptions`: e.g. `@fr/interop`'s reader of
 * PyTorch state dicts allows torch's tensor rebuild, each mapped to a JS function) is refused at
 * the opcode that names it, before anything else is read.
 */

/** A Python tuple (a JS array would be ambiguous with a list). */
export class PyTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A Python global by name (`module.name`), e.g. `torch.FloatStorage`; never resolved to code. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * For the writer: `callable(*args)` (REDUCE), then the dict items set on the result (SETITEMS)
 * and `state` applied to it (BUILD) — how pickle stores e.g. an `OrderedDict`.
 */
export class PyCall {
  constructor(
    readonly callable: PyGlobal,
    readonly args: PyTuple,
    readonly extra: { readonly dictItems?: Map<PickleValue, PickleValue>; readonly state?: PickleValue } = {},
  ) {}
}

/** For the writer: a persistent id (BINPERSID), resolved by the reader's `persistent_load`. */
export class PyPersistentId {
  constructor(readonly id: PickleValue) {}
}

/** A value made by a caller's hook (`PickleLoadOptions`), opaque to this module. */
export class PyObject {
  constructor(readonly type: string, readonly value: unknown) {}
}

/** Values this module reads and writes. Python `str` ↔ string, `bytes` ↔ Uint8Array, `dict` ↔ Map. */
export type PickleValue =
  | null | boolean | number | bigint | string | Uint8Array | PickleValue[] | PyTuple | Map<PickleValue, PickleValue>
  | PyGlobal | PyCall | PyPersistentId | PyObject;

/**
 * What a caller may allow beyond plain data. Everything not named here stays refused, at the
 * GLOBAL / STACK_GLOBAL / BINPERSID / BUILD opcode itself.
 */
export interface PickleLoadOptions {
  /**
   * Callables REDUCE (and NEWOBJ) may call, by qualified name (`torch._utils._rebuild_tensor_v2`):
   * each is a JS function given the argument tuple's items.
   */
  readonly callables?: Readonly<Record<string, (args: readonly PickleValue[], source: string) => PickleValue>>;
  /** Globals allowed only as values (passed as arguments, never called), e.g. `torch.FloatStorage`. */
  readonly names?: readonly string[];
  /** Resolves persistent ids (BINPERSID / PERSID); without it those opcodes are refused. */
  readonly persistentLoad?: (id: PickleValue, source: string) => PickleValue;
  /** Applies BUILD's `state` to `target` and returns the result; without it BUILD is refused. */
  readonly build?: (target: PickleValue, state: PickleValue, source: string) => PickleValue;
}

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

/** The plain-data callables the reader knows itself (see `reduce`). */
const BUILTIN_CALLABLES = new Set([
  '_codecs.encode', '__builtin__.bytearray', 'builtins.bytearray', '__builtin__.bytes', 'builtins.bytes',
  '__builtin__.set', 'builtins.set', '__builtin__.frozenset', 'builtins.frozenset',
]);

/** Bytes → a string with one char per byte (latin-1), safe for large inputs. */
function latin1Decode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

const latin1Encode = (s: string, where: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new Error(`${where}: character U+${c.toString(16)} is not latin-1`);
    out[i] = c;
  }
  return out;
};

/**
 * Reads a pickle. `source` names the input in error messages; `options` allows named globals,
 * persistent ids and BUILD, each through a JS function (nothing else is ever called).
 *
 * @example
 * ```ts
 * const value = pickleLoads(bytes, 'lfw.bin');                       // plain data only
 * const dict = pickleLoads(bytes, 'model.pth', { callables: { 'collections.OrderedDict': () => new Map() } });
 * ```
 */
export function pickleLoads(input: Uint8Array, source = '<memory>', options: PickleLoadOptions = {}): PickleValue {
  // A plain Uint8Array view (a Buffer's slice() would share memory instead of copying).
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: StackItem[] = [];
  const memo = new Map<number, StackItem>();
  let pos = 0;
  const fail = (msg: string): never => {
    throw new Error(`pickle ${source}: ${msg} (at byte ${pos})`);
  };
  const need = (n: number): void => {
    if (pos + n > bytes.length) fail(`data ends early (needs ${n} more bytes)`);
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++] as number;
  };
  const u16 = (): number => {
    need(2);
    pos += 2;
    return view.getUint16(pos - 2, true);
  };
  const u32 = (): number => {
    need(4);
    pos += 4;
    return view.getUint32(pos - 4, true);
  };
  const i32 = (): number => {
    need(4);
    pos += 4;
    return view.getInt32(pos - 4, true);
  };
  const u64 = (): number => {
    need(8);
    pos += 8;
    const v = view.getBigUint64(pos - 8, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${v} too large`);
    return Number(v);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated text line');
    const s = latin1Decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): StackItem => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop() as StackItem;
  };
  const popMark = (): StackItem[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('MARK not found');
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const value = (item: StackItem): PickleValue => {
    if (item === MARK) return fail('a value was expected');
    return item;
  };
  const allowedNames = new Set(options.names ?? []);
  const global = (module: string, name: string): PyGlobal => {
    const g = new PyGlobal(module, name);
    const known = BUILTIN_CALLABLES.has(g.qualified) || allowedNames.has(g.qualified) || Object.hasOwn(options.callables ?? {}, g.qualified);
    if (!known) {
      const allowed = [...Object.keys(options.callables ?? {}), ...allowedNames];
      fail(`refusing to call ${g.qualified} (only plain data${allowed.length ? ` and ${allowed.join(', ')}` : ''} is supported; numpy arrays in particular are not)`);
    }
    return g;
  };
  const top = (): StackItem => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1] as StackItem;
  };
  const decodeLong = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
    if ((b[b.length - 1] as number) & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const textInt = (s: string): number | bigint | boolean => {
    if (s === '01') return true;
    if (s === '00') return false;
    const t = s.endsWith('L') ? s.slice(0, -1) : s;
    if (!/^[-+]?\d+$/.test(t)) fail(`bad integer ${JSON.stringify(s)}`);
    const v = BigInt(t);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const reduce = (fn: StackItem, args: StackItem): PickleValue => {
    if (!(fn instanceof PyGlobal)) return fail('REDUCE of a non-callable');
    const a = args instanceof PyTuple ? args.items : fail(`REDUCE arguments of ${fn.qualified} are not a tuple`);
    const hook = options.callables && Object.hasOwn(options.callables, fn.qualified) ? options.callables[fn.qualified] : undefined;
    if (hook) {
      try {
        return hook(a, source);
      } catch (error) {
        return fail(`${fn.qualified}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    switch (fn.qualified) {
      case '_codecs.encode': {
        const [s, enc] = a;
        if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1' && enc !== undefined)) return fail('unsupported _codecs.encode call');
        return latin1Encode(s, `pickle ${source}`);
      }
      case '__builtin__.bytearray':
      case 'builtins.bytearray': {
        const [s] = a;
        if (s === undefined) return new Uint8Array(0);
        if (s instanceof Uint8Array) return s.slice();
        if (typeof s === 'string') return latin1Encode(s, `pickle ${source}`);
        return fail('unsupported bytearray argument');
      }
      case '__builtin__.bytes':
      case 'builtins.bytes':
        return a.length === 0 ? new Uint8Array(0) : fail('unsupported bytes() argument');
      case '__builtin__.set':
      case 'builtins.set':
      case '__builtin__.frozenset':
      case 'builtins.frozenset': {
        const [items] = a;
        return Array.isArray(items) ? items : [];
      }
      default:
        return fail(`refusing to call ${fn.qualified} (only plain data is supported; numpy arrays in particular are not)`);
    }
  };

  for (;;) {
    if (pos >= bytes.length) fail('no STOP opcode');
    const op = bytes[pos++] as number;
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        return value(pop());
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: // INT (text; "01"/"00" are True/False in protocols 0–1)
        stack.push(textInt(line()));
        break;
      case 0x4c: // LONG (text)
        stack.push(textInt(line()));
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(decodeLong(take(i32())));
        break;
      case 0x47: // BINFLOAT (big-endian float64)
        need(8);
        pos += 8;
        stack.push(view.getFloat64(pos - 8, false));
        break;
      case 0x46: // FLOAT (text)
        stack.push(Number.parseFloat(line()));
        break;
      case 0x54: // BINSTRING (Python 2 str: raw bytes)
        stack.push(take(i32()).slice());
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(take(u8()).slice());
        break;
      case 0x53: {
        // STRING (repr-quoted Python 2 str)
        const s = line().trim();
        const q = s[0];
        if ((q !== "'" && q !== '"') || s[s.length - 1] !== q) fail('bad STRING literal');
        stack.push(latin1Encode(unescapePython(s.slice(1, -1)), `pickle ${source}`));
        break;
      }
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()).slice());
        break;
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64())));
        break;
      case 0x56: // UNICODE (raw-unicode-escape text)
        stack.push(line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a: string | undefined, b: string | undefined) => String.fromCodePoint(Number.parseInt(a ?? b ?? '0', 16))));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark().map(value));
        break;
      case 0x61: {
        // APPEND
        const v = value(pop());
        const list = top();
        if (!Array.isArray(list)) fail('APPEND to a non-list');
        (list as PickleValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark().map(value);
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS to a non-list');
        for (const v of items) (list as PickleValue[]).push(v);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark().map(value)));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([value(pop())]));
        break;
      case 0x86: {
        // TUPLE2
        const b = value(pop());
        const a = value(pop());
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = value(pop());
        const b = value(pop());
        const a = value(pop());
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const items = popMark().map(value);
        const d = new Map<PickleValue, PickleValue>();
        for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i] as PickleValue, items[i + 1] as PickleValue);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = value(pop());
        const k = value(pop());
        const d = top();
        if (!(d instanceof Map)) fail('SETITEM on a non-dict');
        (d as Map<PickleValue, PickleValue>).set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark().map(value);
        const d = top();
        if (!(d instanceof Map)) fail('SETITEMS on a non-dict');
        for (let i = 0; i + 1 < items.length; i += 2) (d as Map<PickleValue, PickleValue>).set(items[i] as PickleValue, items[i + 1] as PickleValue);
        break;
      }
      case 0x70: // PUT
        memo.set(Number.parseInt(line(), 10), top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x67 ? Number.parseInt(line(), 10) : op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`memo key ${k} not found`);
        stack.push(memo.get(k) as StackItem);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = value(pop());
        const module = value(pop());
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x51: // BINPERSID
      case 0x50: {
        // PERSID (text id)
        const id = op === 0x50 ? line() : value(pop());
        if (!options.persistentLoad) fail('persistent ids (external objects) are not supported here');
        try {
          stack.push((options.persistentLoad as NonNullable<PickleLoadOptions['persistentLoad']>)(id, source));
        } catch (error) {
          fail(`persistent id: ${error instanceof Error ? error.message : String(error)}`);
        }
        break;
      }
      case 0x62: {
        // BUILD
        const state = value(pop());
        const target = value(pop());
        if (!options.build) fail('BUILD (setting object state) is not supported here');
        stack.push((options.build as NonNullable<PickleLoadOptions['build']>)(target, state, source));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case 0x81: // NEWOBJ
      case 0x92: {
        // NEWOBJ_EX
        if (op === 0x92) pop();
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        fail('out-of-band buffers (protocol 5 buffer_callback) are not supported');
        break;
      default:
        fail(`unsupported opcode 0x${op.toString(16)} (${JSON.stringify(String.fromCharCode(op))})`);
    }
  }
}

function unescapePython(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
    const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' };
    return map[e] ?? `\\${e}`;
  });
}

/** Pickle protocols {@link pickleDumps} writes. */
export type PickleProtocol = 2 | 3 | 4;

/**
 * Writes a pickle any Python 3 `pickle.load` reads without options. Protocol 2 stores bytes as
 * `_codecs.encode(str, 'latin1')`, as Python 3 itself does (also loadable by Python 2);
 * protocols 3 and 4 use BINBYTES (protocol 4 without framing, which is optional).
 *
 * @example
 * ```ts
 * const bytes = pickleDumps(new PyTuple([[jpegA, jpegB], [true]]), 4);
 * ```
 */
export function pickleDumps(value: PickleValue, protocol: PickleProtocol = 4): Uint8Array {
  const out = new ByteSink();
  out.byte(0x80);
  out.byte(protocol);
  const utf8 = new TextEncoder();
  const writeUnicode = (s: string): void => {
    const b = utf8.encode(s);
    if (protocol >= 4 && b.length < 256) {
      out.byte(0x8c);
      out.byte(b.length);
    } else {
      out.byte(0x58);
      out.u32(b.length);
    }
    out.bytes(b);
  };
  const write = (v: PickleValue): void => {
    if (v === null) out.byte(0x4e);
    else if (v === true) out.byte(0x88);
    else if (v === false) out.byte(0x89);
    else if (typeof v === 'number' || typeof v === 'bigint') {
      if (typeof v === 'number' && !Number.isInteger(v)) {
        out.byte(0x47);
        out.f64be(v);
      } else {
        const n = BigInt(v);
        if (n >= 0n && n < 256n) {
          out.byte(0x4b);
          out.byte(Number(n));
        } else if (n >= 0n && n < 65536n) {
          out.byte(0x4d);
          out.u16(Number(n));
        } else if (n >= -(2n ** 31n) && n < 2n ** 31n) {
          out.byte(0x4a);
          out.i32(Number(n));
        } else {
          const b = encodeLong(n);
          out.byte(0x8a);
          out.byte(b.length);
          out.bytes(b);
        }
      }
    } else if (typeof v === 'string') writeUnicode(v);
    else if (v instanceof Uint8Array) {
      if (protocol === 2) {
        // GLOBAL _codecs.encode, (latin-1 text, 'latin1'), REDUCE — what Python 3 writes.
        out.byte(0x63);
        out.bytes(utf8.encode('_codecs\nencode\n'));
        writeUnicode(latin1Decode(v));
        writeUnicode('latin1');
        out.byte(0x86);
        out.byte(0x52);
      } else if (v.length < 256) {
        out.byte(0x43);
        out.byte(v.length);
        out.bytes(v);
      } else {
        out.byte(0x42);
        out.u32(v.length);
        out.bytes(v);
      }
    } else if (Array.isArray(v)) {
      out.byte(0x5d);
      for (let i = 0; i < v.length; i += 1000) {
        out.byte(0x28);
        for (const item of v.slice(i, i + 1000)) write(item);
        out.byte(0x65);
      }
    } else if (v instanceof PyTuple) {
      const n = v.items.length;
      if (n === 0) out.byte(0x29);
      else if (n <= 3) {
        for (const item of v.items) write(item);
        out.byte(0x84 + n);
      } else {
        out.byte(0x28);
        for (const item of v.items) write(item);
        out.byte(0x74);
      }
    } else if (v instanceof Map) {
      out.byte(0x7d);
      writeItems(v);
    } else if (v instanceof PyGlobal) {
      out.byte(0x63);
      out.bytes(utf8.encode(`${v.module}\n${v.name}\n`));
    } else if (v instanceof PyCall) {
      write(v.callable);
      write(v.args);
      out.byte(0x52);
      if (v.extra.dictItems) writeItems(v.extra.dictItems);
      if (v.extra.state !== undefined) {
        write(v.extra.state);
        out.byte(0x62);
      }
    } else if (v instanceof PyPersistentId) {
      write(v.id);
      out.byte(0x51);
    } else throw new Error(`pickleDumps: unsupported value ${String(v)}`);
  };
  /** SETITEMS onto the dict on top of the stack, in batches of 1000 as CPython does. */
  const writeItems = (items: Map<PickleValue, PickleValue>): void => {
    const entries = [...items];
    for (let i = 0; i < entries.length; i += 1000) {
      out.byte(0x28);
      for (const [k, item] of entries.slice(i, i + 1000)) {
        write(k);
        write(item);
      }
      out.byte(0x75);
    }
  };
  write(value);
  out.byte(0x2e);
  return out.result();
}

function encodeLong(n: bigint): Uint8Array {
  const out: number[] = [];
  let v = n;
  for (;;) {
    const byte = Number(v & 0xffn);
    out.push(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out);
}

class ByteSink {
  private buf = new Uint8Array(1 << 16);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  private view(n: number): DataView {
    this.ensure(n);
    const v = new DataView(this.buf.buffer, this.len, n);
    this.len += n;
    return v;
  }

  u16(v: number): void {
    this.view(2).setUint16(0, v, true);
  }

  u32(v: number): void {
    this.view(4).setUint32(0, v, true);
  }

  i32(v: number): void {
    this.view(4).setInt32(0, v, true);
  }

  f64be(v: number): void {
    this.view(8).setFloat64(0, v, false);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
