import { PyCall, PyGlobal, PyObject, PyPersistentId, PyTuple, pickleDumps, pickleLoads, type PickleValue } from '@fr/data';
import { ITEM_SIZE, numel, type RawDtype, type RawTensor } from '../tensors/raw-tensor.js';

/**
 * The part of Python's pickle that `torch.save` uses for a state dict, and nothing more: the
 * reader allows exactly the globals below (each mapped to a JS function; none is Python code),
 * persistent ids naming the archive's storages, and BUILD only on an `OrderedDict` (its
 * `_metadata`). Any other global — `os.system`, `builtins.eval`, a model class — is refused at
 * the opcode that names it, so a malicious file never gets further than that.
 */

/** `torch.<Name>Storage` → element type. */
const STORAGES: Readonly<Record<string, RawDtype>> = {
  'torch.FloatStorage': 'float32', 'torch.HalfStorage': 'float16', 'torch.BFloat16Storage': 'bfloat16', 'torch.DoubleStorage': 'float64',
  'torch.LongStorage': 'int64', 'torch.IntStorage': 'int32', 'torch.ShortStorage': 'int16', 'torch.CharStorage': 'int8',
  'torch.ByteStorage': 'uint8', 'torch.BoolStorage': 'bool',
};
const STORAGE_OF = Object.fromEntries(Object.entries(STORAGES).map(([k, v]) => [v, k])) as Record<RawDtype, string>;

const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';
const ORDERED_DICT = 'collections.OrderedDict';

interface Storage {
  readonly dtype: RawDtype;
  readonly key: string;
  readonly bytes: Uint8Array;
}

const ints = (v: PickleValue, what: string): number[] => {
  if (!(v instanceof PyTuple) || !v.items.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
    throw new Error(`${what} must be a tuple of non-negative integers`);
  }
  return v.items as number[];
};

/** Copies a strided view into contiguous bytes (torch saves views of shared storages). */
function gather(storage: Storage, offset: number, shape: number[], stride: number[]): Uint8Array {
  const item = ITEM_SIZE[storage.dtype];
  const n = numel(shape);
  const contiguous = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const last = n === 0 ? offset : offset + shape.reduce((m, d, i) => m + (d - 1) * (stride[i] as number), 0);
  if (n > 0 && (last + 1) * item > storage.bytes.byteLength) {
    throw new Error(`storage ${storage.key} has ${storage.bytes.byteLength / item} elements, the tensor reaches element ${last} (truncated?)`);
  }
  if (shape.every((d, i) => d === 1 || stride[i] === contiguous[i])) return storage.bytes.subarray(offset * item, (offset + n) * item);
  const out = new Uint8Array(n * item);
  const index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    const from = offset + index.reduce((m, x, i) => m + x * (stride[i] as number), 0);
    out.set(storage.bytes.subarray(from * item, (from + 1) * item), k * item);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] as number) + 1;
      if ((index[axis] as number) < (shape[axis] as number)) break;
      index[axis] = 0;
    }
  }
  return out;
}

/**
 * Unpickles `data.pkl` of a torch.save archive. `record(key)` returns the bytes of storage
 * `data/<key>` (or undefined if the archive lacks it). Tensors come back as
 * `PyObject('torch.Tensor', RawTensor)`, dicts as `Map`.
 */
export function unpickleTorch(pickle: Uint8Array, source: string, record: (key: string) => Uint8Array | undefined): PickleValue {
  const rebuildTensor = (args: readonly PickleValue[]): PickleValue => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof PyObject) || storage.type !== 'torch.storage') throw new Error('the first argument is not a storage');
    if (typeof offset !== 'number') throw new Error('the storage offset is not an integer');
    const s = storage.value as Storage;
    const shape = ints(size as PickleValue, 'the size');
    const strides = ints(stride as PickleValue, 'the stride');
    if (strides.length !== shape.length) throw new Error('size and stride differ in length');
    const tensor: RawTensor = { dtype: s.dtype, shape, bytes: gather(s, offset, shape, strides) };
    return new PyObject('torch.Tensor', tensor);
  };
  return pickleLoads(pickle, source, {
    callables: {
      [REBUILD_TENSOR]: rebuildTensor,
      [REBUILD_PARAMETER]: (args) => {
        if (!(args[0] instanceof PyObject) || args[0].type !== 'torch.Tensor') throw new Error('the parameter data is not a tensor');
        return args[0];
      },
      [ORDERED_DICT]: (args) => {
        if (args.length > 0) throw new Error('only an empty OrderedDict() call is expected');
        return new Map();
      },
    },
    names: Object.keys(STORAGES),
    persistentLoad: (id) => {
      const items = id instanceof PyTuple ? id.items : [];
      const [kind, type, key, , count] = items;
      if (kind !== 'storage' || !(type instanceof PyGlobal) || typeof key !== 'string' || typeof count !== 'number') {
        throw new Error('not a torch storage reference');
      }
      const dtype = STORAGES[type.qualified] as RawDtype;
      const bytes = record(key);
      if (!bytes) throw new Error(`the archive has no record data/${key} (truncated?)`);
      if (bytes.byteLength < count * ITEM_SIZE[dtype]) throw new Error(`record data/${key} has ${bytes.byteLength} bytes, ${count} × ${dtype} need ${count * ITEM_SIZE[dtype]} (truncated)`);
      return new PyObject('torch.storage', { dtype, key, bytes } satisfies Storage);
    },
    // An OrderedDict's `_metadata` (module versions) arrives through BUILD; it carries no weights.
    build: (target, state) => {
      if (target instanceof Map && (state instanceof Map || state === null)) return target;
      throw new Error('BUILD is only accepted on an OrderedDict');
    },
  });
}

/** The pickle `torch.save(state_dict)` writes, for tensors stored as records `data/0`, `data/1`, … */
export function pickleTorchStateDict(tensors: readonly [string, RawTensor][]): Uint8Array {
  const orderedDict = new PyGlobal('collections', 'OrderedDict');
  const rebuild = new PyGlobal('torch._utils', '_rebuild_tensor_v2');
  const items = new Map<PickleValue, PickleValue>();
  tensors.forEach(([name, t], i) => {
    const stride = t.shape.map((_, axis) => t.shape.slice(axis + 1).reduce((a, b) => a * b, 1));
    const storage = new PyPersistentId(new PyTuple(['storage', new PyGlobal('torch', STORAGE_OF[t.dtype].slice(6)), String(i), 'cpu', numel(t.shape)]));
    items.set(name, new PyCall(rebuild, new PyTuple([storage, 0, new PyTuple([...t.shape]), new PyTuple(stride), false, new PyCall(orderedDict, new PyTuple([]))])));
  });
  return pickleDumps(new PyCall(orderedDict, new PyTuple([]), { dictItems: items }), 2);
}
