import { BatchNorm, Conv2d, DepthwiseConv2d, LayerNorm, Linear, PReLU, type Backbone, type Module } from '@fr/core';
import { getArchitecture } from '../registry.js';

/** Element types a PyTorch state dict of these networks holds. */
export type TorchDtype = 'float32' | 'int64';

/** Where one entry of the reference PyTorch state dict lives in an @fr backbone. */
export interface TorchLayoutEntry {
  /** Key in the PyTorch state dict, e.g. `layer1.0.bn1.running_mean`. */
  readonly torchKey: string;
  /** Shape in PyTorch's layout (conv `[out, in, kh, kw]`, Linear `[out, in]`). */
  readonly torchShape: readonly number[];
  readonly dtype: TorchDtype;
  /**
   * The @fr state-dict name holding this tensor, or `null` for entries PyTorch has and @fr does
   * not need (BatchNorm's `num_batches_tracked` counter, written as 0).
   */
  readonly name: string | null;
  /**
   * Axis permutation from the @fr tensor to the PyTorch one (`tf.transpose(x, toTorch)`); the
   * inverse permutation goes back. `null`: the layouts are the same.
   */
  readonly toTorch: readonly number[] | null;
}

/**
 * The PyTorch module name of child `name` of `parent`, when the reference implementation names
 * it differently (insightface's MobileFaceNet wraps every conv/BN/PReLU in `layers` Sequentials).
 */
export type TorchChildName = (parent: Module, name: string) => string;

const CONV_TO_TORCH = [3, 2, 0, 1]; // [kh, kw, in, out] → [out, in, kh, kw]
const DEPTHWISE_TO_TORCH = [2, 3, 0, 1]; // [kh, kw, C, 1] → [C, 1, kh, kw]
const LINEAR_TO_TORCH = [1, 0]; // [in, out] → [out, in]

function permuted(shape: readonly number[], perm: readonly number[] | null): number[] {
  return perm ? perm.map((axis) => shape[axis] as number) : [...shape];
}

/** PyTorch's leaf name and layout of parameter `leaf` of module `m`. */
function torchLeaf(m: Module, leaf: string): { key: string; toTorch: readonly number[] | null } {
  if (m instanceof BatchNorm || m instanceof LayerNorm) {
    const names: Record<string, string> = { gamma: 'weight', beta: 'bias', runningMean: 'running_mean', runningVar: 'running_var' };
    return { key: names[leaf] ?? leaf, toTorch: null };
  }
  if (m instanceof PReLU && leaf === 'alpha') return { key: 'weight', toTorch: null };
  if (leaf === 'weight') {
    if (m instanceof Conv2d) return { key: leaf, toTorch: CONV_TO_TORCH };
    if (m instanceof DepthwiseConv2d) return { key: leaf, toTorch: DEPTHWISE_TO_TORCH };
    if (m instanceof Linear) return { key: leaf, toTorch: LINEAR_TO_TORCH };
  }
  return { key: leaf, toTorch: null };
}

/**
 * The state dict of the reference PyTorch implementation of `backbone` (arcface_torch's
 * `iresnet.py`, `mobilefacenet.py` with scale 1, `vit.py`; TransFace's `senet`), entry by entry:
 * key, shape, dtype and how it maps onto the @fr parameters, in PyTorch's registration order.
 * This is what `.pth` / `.safetensors` import and export (`@fr/interop`) are built on.
 *
 * @example
 * ```ts
 * const layout = torchStateDictLayout(createBackbone('iresnet50', {}, { shapeOnly: true }));
 * layout[0]; // { torchKey: 'conv1.weight', torchShape: [64, 3, 3, 3], dtype: 'float32', name: 'conv1.weight', toTorch: [3, 2, 0, 1] }
 * ```
 */
export function torchStateDictLayout(backbone: Backbone): TorchLayoutEntry[] {
  const childName = getArchitecture(backbone.name).torchChildName ?? ((_parent: Module, name: string) => name);
  const state = backbone.module.stateDict();
  const modules = backbone.module.namedModules();
  // PyTorch names of every module, parents first (namedModules' order).
  const torchPath = new Map<string, string>([['', '']]);
  // The state-dict entries of each module, by the module's path.
  const entriesOf = new Map<string, [string, readonly number[]][]>();
  for (const [name, variable] of state) {
    const dot = name.lastIndexOf('.');
    const owner = dot < 0 ? '' : name.slice(0, dot);
    entriesOf.set(owner, [...(entriesOf.get(owner) ?? []), [name, variable.shape]]);
  }
  const out: TorchLayoutEntry[] = [];
  for (const [path, module] of modules) {
    if (path !== '') {
      const dot = path.lastIndexOf('.');
      const parentPath = dot < 0 ? '' : path.slice(0, dot);
      const parent = modules.get(parentPath) as Module;
      const parentTorch = torchPath.get(parentPath) as string;
      const own = childName(parent, path.slice(dot + 1));
      torchPath.set(path, parentTorch ? `${parentTorch}.${own}` : own);
    }
    const prefix = torchPath.get(path) as string;
    for (const [name, shape] of entriesOf.get(path) ?? []) {
      const leaf = torchLeaf(module, name.slice(name.lastIndexOf('.') + 1));
      out.push({
        torchKey: prefix ? `${prefix}.${leaf.key}` : leaf.key,
        torchShape: permuted(shape, leaf.toTorch),
        dtype: 'float32',
        name,
        toTorch: leaf.toTorch,
      });
    }
    if (module instanceof BatchNorm) {
      out.push({ torchKey: `${prefix}.num_batches_tracked`, torchShape: [], dtype: 'int64', name: null, toTorch: null });
    }
  }
  return out;
}

/** The inverse of a permutation (PyTorch layout → @fr layout). */
export function inversePermutation(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length);
  perm.forEach((axis, i) => {
    inverse[axis] = i;
  });
  return inverse;
}
