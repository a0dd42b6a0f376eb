import { tf, type Backbone } from '@fr/core';
import { inversePermutation, torchStateDictLayout } from '@fr/backbones';
import { backboneWithWeights } from '../load-backbone-weights.js';
import { FLOAT_DTYPES, float32Tensor, int64Tensor, toFloat32, type RawStateDict } from '../tensors/raw-tensor.js';
import { inferArchitecture } from './infer-architecture.js';

export interface StateDictImportOptions {
  /** @fr architecture to build (default: inferred from the tensor names and shapes). */
  readonly architecture?: string;
  /** Its `createBackbone` options (default: inferred; merged over the inferred ones when `architecture` is not given). */
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * Accept float16 / bfloat16 / float64 weights and convert them to float32. Default false: a
   * weight that is not float32 is an error naming it (a half-precision checkpoint should be a
   * conscious choice).
   */
  readonly castFloats?: boolean;
  /** Names the input in errors (a file name). */
  readonly source?: string;
}

/** Entries listed per kind of problem. */
const MAX_LISTED = 8;

/**
 * Builds the @fr backbone a PyTorch (arcface_torch) state dict describes and loads it: every
 * tensor's name, shape and dtype is checked against the target architecture's layout
 * ({@link torchStateDictLayout}) first, and one error lists every problem (missing, unexpected,
 * wrong shape, wrong dtype). `num_batches_tracked` may be absent. Returns the backbone in
 * evaluation mode; it trains like any other (`backbone.module.train()`).
 *
 * @example
 * ```ts
 * const backbone = backboneFromStateDict(readPth(bytes, 'model.pt'));      // architecture inferred
 * const r50 = backboneFromStateDict(tensors, { architecture: 'iresnet50' });
 * ```
 */
export function backboneFromStateDict(tensors: RawStateDict, options: StateDictImportOptions = {}): Backbone {
  const source = options.source ?? 'the state dict';
  const shapes = new Map([...tensors].map(([k, t]) => [k, t.shape] as const));
  const target = options.architecture !== undefined
    ? { architecture: options.architecture, options: { ...(options.options ?? {}) } }
    : (() => {
      const inferred = inferArchitecture(shapes, source);
      return { architecture: inferred.architecture, options: { ...inferred.options, ...(options.options ?? {}) } };
    })();
  return backboneWithWeights(target.architecture, target.options, (backbone) => {
    const layout = torchStateDictLayout(backbone);
    const mismatched: string[] = [];
    const missing: string[] = [];
    const known = new Set(layout.map((e) => e.torchKey));
    for (const entry of layout) {
      const t = tensors.get(entry.torchKey);
      if (!t) {
        if (entry.name !== null) missing.push(`"${entry.torchKey}" [${entry.torchShape.join(', ')}]`);
        continue;
      }
      if (!tf.util.arraysEqual([...t.shape], [...entry.torchShape])) {
        mismatched.push(`"${entry.torchKey}" has shape [${t.shape.join(', ')}], the architecture needs [${entry.torchShape.join(', ')}]`);
      }
      const castable = options.castFloats && entry.dtype === 'float32' && FLOAT_DTYPES.includes(t.dtype);
      if (t.dtype !== entry.dtype && !castable) {
        const hint = entry.dtype === 'float32' && FLOAT_DTYPES.includes(t.dtype) ? ' (pass castFloats: true / --cast-floats to convert)' : '';
        mismatched.push(`"${entry.torchKey}" is ${t.dtype}, expected ${entry.dtype}${hint}`);
      }
    }
    const unexpected = [...tensors.keys()].filter((key) => !known.has(key)).map((key) => `"${key}"`);
    if (mismatched.length + missing.length + unexpected.length > 0) {
      const group = (title: string, items: string[]) => (items.length === 0 ? [] : [
        `  ${items.length} ${title}:`,
        ...items.slice(0, MAX_LISTED).map((p) => `    ✖ ${p}`),
        ...(items.length > MAX_LISTED ? [`    … ${items.length - MAX_LISTED} more`] : []),
      ]);
      const lines = [...group('mismatched', mismatched), ...group('missing', missing), ...group('unexpected', unexpected)];
      throw new Error(`${source} does not match ${target.architecture} ${JSON.stringify(target.options)}:\n${lines.join('\n')}`);
    }
    const state = new Map<string, tf.Tensor>();
    for (const entry of layout) {
      if (entry.name === null) continue;
      const raw = tensors.get(entry.torchKey) as NonNullable<ReturnType<typeof tensors.get>>;
      const values = tf.tensor(toFloat32(raw, `"${entry.torchKey}"`), [...entry.torchShape], 'float32');
      if (entry.toTorch) {
        state.set(entry.name, tf.transpose(values, inversePermutation(entry.toTorch)));
        values.dispose();
      } else state.set(entry.name, values);
    }
    return state;
  });
}

/**
 * The backbone's weights as the reference PyTorch implementation's state dict: arcface_torch key
 * names and layouts, float32, BatchNorm's `num_batches_tracked` as int64 0 — what
 * `load_state_dict(strict=True)` of arcface_torch's `get_model(...)` expects.
 *
 * @example
 * ```ts
 * await writeFile('model.pt', writePth(backboneToStateDict(backbone)));
 * ```
 */
export function backboneToStateDict(backbone: Backbone): RawStateDict {
  const state = backbone.module.stateDict();
  const out: RawStateDict = new Map();
  for (const entry of torchStateDictLayout(backbone)) {
    if (entry.name === null) {
      out.set(entry.torchKey, int64Tensor([0], []));
      continue;
    }
    const variable = state.get(entry.name) as tf.Variable;
    const values = tf.tidy(() => (entry.toTorch ? tf.transpose(variable, [...entry.toTorch]) : tf.clone(variable)));
    out.set(entry.torchKey, float32Tensor(values.dataSync() as Float32Array, entry.torchShape));
    values.dispose();
  }
  return out;
}
