import { PyObject, type PickleValue } from '@fr/data';
import type { RawStateDict, RawTensor } from '../tensors/raw-tensor.js';
import { pickleTorchStateDict, unpickleTorch } from './torch-pickle.js';
import { readZip, writeZip } from './zip.js';

/** Keys under which training scripts nest the backbone's state dict (arcface_torch's checkpoint_gpu_N.pt first). */
const NESTED_KEYS = ['state_dict_backbone', 'state_dict', 'model', 'backbone'];

export interface ReadPthOptions {
  /** Take the state dict under this key of a checkpoint dict (default: the first of `state_dict_backbone`, `state_dict`, `model`, `backbone` present). */
  readonly key?: string;
}

function isTensor(v: PickleValue | undefined): v is PyObject {
  return v instanceof PyObject && v.type === 'torch.Tensor';
}

/**
 * Reads a PyTorch `.pt`/`.pth` file written by `torch.save` (the zip layout of torch ≥ 1.6:
 * `<name>/data.pkl`, `<name>/data/<key>`, `<name>/version`, optionally `<name>/byteorder`)
 * **without executing pickle**: only the opcodes and globals a state dict uses are interpreted
 * (see `torch-pickle.ts`), anything else is refused before it is reached. Accepts a state dict,
 * or a checkpoint dict holding one (arcface_torch's `state_dict_backbone`); DDP's `module.`
 * prefix is removed.
 *
 * @example
 * ```ts
 * const tensors = readPth(await readFile('model.pt'), 'model.pt');
 * tensors.get('layer1.0.conv1.weight'); // { dtype: 'float32', shape: [64, 64, 3, 3], bytes }
 * ```
 */
export function readPth(bytes: Uint8Array, source = '<memory>', options: ReadPthOptions = {}): RawStateDict {
  const entries = readZip(bytes, source);
  const pickles = [...entries.keys()].filter((name) => name.endsWith('/data.pkl') && name.split('/').length === 2);
  if (pickles.length !== 1) {
    throw new Error(`${source}: expected one <archive>/data.pkl in the zip, found ${pickles.length ? pickles.join(', ') : 'none'}; not a torch.save file?`);
  }
  const prefix = (pickles[0] as string).slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder.data).trim() !== 'little') {
    throw new Error(`${source}: the tensors are stored big-endian; re-save the file on a little-endian machine`);
  }
  const root = unpickleTorch((entries.get(pickles[0] as string) as { data: Uint8Array }).data, source, (key) => entries.get(`${prefix}data/${key}`)?.data);
  return stateDictOf(root, source, options);
}

function stateDictOf(root: PickleValue, source: string, options: ReadPthOptions): RawStateDict {
  if (!(root instanceof Map)) throw new Error(`${source}: the file holds a ${root === null ? 'None' : typeof root}, not a dict of tensors`);
  let dict = root;
  const values = [...dict.values()];
  if (options.key !== undefined || !values.every(isTensor)) {
    const key = options.key ?? NESTED_KEYS.find((k) => dict.get(k) instanceof Map);
    const nested = key === undefined ? undefined : dict.get(key);
    if (!(nested instanceof Map)) {
      const keys = [...dict.keys()].map((k) => JSON.stringify(k)).join(', ');
      throw new Error(`${source}: not a state dict (values are not all tensors) and no ${options.key !== undefined ? `key ${JSON.stringify(options.key)}` : `state dict under ${NESTED_KEYS.join(' / ')}`}; keys: ${keys}`);
    }
    dict = nested;
  }
  const out: RawStateDict = new Map();
  for (const [k, v] of dict) {
    if (typeof k !== 'string') throw new Error(`${source}: a state-dict key is not a string (${String(k)})`);
    if (!isTensor(v)) throw new Error(`${source}: "${k}" is not a tensor`);
    out.set(k, v.value as RawTensor);
  }
  const keys = [...out.keys()];
  if (keys.length > 0 && keys.every((k) => k.startsWith('module.'))) {
    return new Map([...out].map(([k, v]) => [k.slice('module.'.length), v]));
  }
  return out;
}

/**
 * Writes tensors as `torch.save(state_dict)` does (an `OrderedDict` of tensors in the zip layout
 * above, archive name `archive`), so `torch.load` + `load_state_dict(strict=True)` accept it —
 * and `torch.load(f, weights_only=True)` too, since only tensor-rebuild globals appear.
 *
 * @example
 * ```ts
 * await writeFile('model.pt', writePth(tensors));
 * ```
 */
export function writePth(tensors: RawStateDict): Uint8Array {
  const list = [...tensors];
  const archive = 'archive';
  return writeZip([
    { name: `${archive}/data.pkl`, data: pickleTorchStateDict(list) },
    { name: `${archive}/byteorder`, data: new TextEncoder().encode('little') },
    ...list.map(([, t], i) => ({ name: `${archive}/data/${i}`, data: t.bytes })),
    { name: `${archive}/version`, data: new TextEncoder().encode('3\n') },
  ]);
}
