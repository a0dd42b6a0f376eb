import { tf } from '../tf.js';
import type { PluginState } from './plugin.js';

/** Initial value of one state tensor: a number (a float32 scalar) or a factory. */
export type StateInitial = number | (() => tf.Tensor);

/**
 * Named tensors a plugin carries from step to step (CurricularFace's t, AdaFace's μ and σ, EMA
 * statistics), following the state ownership rules of {@link PluginBase.setState}: they stay on
 * the device (no read-back per step), are handed to the trainer by {@link getState} (checkpoints,
 * NaN rollbacks) and are *copied* in by {@link setState}, because the trainer frees what it passes
 * in right after the call. Created lazily, so a plugin can be built before a backend is selected.
 * @example
 * ```ts
 * const state = new StateTensors('myHead', { t: 0 });
 * const head = defineMargin({
 *   name: 'my-head',
 *   logits: ({ cosine }, ctx) => tf.tidy(() => {
 *     if (ctx.training) state.set('t', constantOf(cosine, (c) => tf.add(tf.mul(tf.mean(c), 0.01), tf.mul(state.get('t'), 0.99))));
 *     return { logits: tf.mul(tf.add(cosine, state.get('t')), 30) as tf.Tensor2D };
 *   }),
 *   getState: () => state.getState(),
 *   setState: (saved) => state.setState(saved),
 *   dispose: () => state.dispose(),
 * });
 * ```
 */
export class StateTensors<K extends string = string> {
  private values: Map<K, tf.Tensor> | null = null;

  /**
   * @param owner Named in errors (the plugin's name).
   * @param initial Every tensor of the state and its initial value; their shapes never change.
   */
  constructor(private readonly owner: string, private readonly initial: Readonly<Record<K, StateInitial>>) {}

  private ensure(): Map<K, tf.Tensor> {
    if (!this.values) {
      const entries = Object.entries(this.initial) as [K, StateInitial][];
      this.values = new Map(entries.map(([k, v]) => [k, tf.keep(typeof v === 'number' ? tf.scalar(v, 'float32') : v())]));
    }
    return this.values;
  }

  private current(name: K): tf.Tensor {
    const value = this.ensure().get(name);
    if (!value) throw new Error(`${this.owner}: unknown state "${name}" (has: ${Object.keys(this.initial).join(', ')})`);
    return value;
  }

  /** The current value, owned by this object: read it, never dispose it. */
  get<T extends tf.Tensor = tf.Scalar>(name: K): T {
    return this.current(name) as T;
  }

  /**
   * Replaces a value with `value` (same shape; a one-element tensor for a scalar), which is kept —
   * it may come from inside a `tf.tidy` — and frees the old one.
   */
  set(name: K, value: tf.Tensor): void {
    const old = this.current(name);
    const next = old.rank === 0 && value.rank !== 0 && value.size === 1 ? tf.reshape(value, []) : value;
    if (!tf.util.arraysEqual(next.shape, old.shape)) throw new Error(`${this.owner}: state "${name}" has shape [${old.shape}], got [${value.shape}]`);
    if (next === old) return;
    this.ensure().set(name, tf.keep(next));
    old.dispose();
  }

  /** The tensors (still owned here: the trainer reads and copies them, never frees them). */
  getState(json?: unknown): PluginState {
    return { ...(json === undefined ? {} : { json }), tensors: Object.fromEntries(this.ensure()) };
  }

  /**
   * Restores every tensor from `state` by copying it (the caller may free its tensors right
   * after), cast to float32. Checks first that each is present and has the right shape, so a bad
   * state changes nothing. `aliases` maps legacy names in older checkpoints to current ones.
   */
  setState(state: PluginState, aliases: Readonly<Record<string, K>> = {}): void {
    const incoming: Record<string, tf.Tensor> = { ...(state.tensors ?? {}) };
    for (const [legacy, name] of Object.entries(aliases)) if (!(name in incoming) && incoming[legacy]) incoming[name] = incoming[legacy] as tf.Tensor;
    const values = this.ensure();
    for (const [name, value] of values) {
      const t = incoming[name];
      if (!t) throw new Error(`${this.owner}: the saved state has no "${name}" tensor (has: ${Object.keys(state.tensors ?? {}).join(', ') || 'none'})`);
      if (t.size !== value.size) throw new Error(`${this.owner}: saved state "${name}" has shape [${t.shape}], expected [${value.shape}]`);
    }
    for (const [name, value] of values) {
      this.set(name, tf.tidy(() => tf.cast(tf.reshape(incoming[name] as tf.Tensor, value.shape), 'float32')));
    }
  }

  /** Frees every tensor (they are recreated from the initial values if used again). */
  dispose(): void {
    for (const v of this.values?.values() ?? []) v.dispose();
    this.values = null;
  }
}
