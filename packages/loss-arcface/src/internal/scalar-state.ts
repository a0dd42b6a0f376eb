import { tf, type PluginState } from '@fr/core';

/**
 * Named scalar statistics a margin head carries from step to step (CurricularFace's t, AdaFace's
 * μ and σ). They stay on the device — no read-back per step — and are handed to the trainer as
 * plugin state tensors, so checkpoints and NaN rollbacks restore them. Created lazily, so a head
 * can be built before a backend is selected.
 */
export class ScalarState {
  private values: Map<string, tf.Scalar> | null = null;

  constructor(private readonly owner: string, private readonly initial: Readonly<Record<string, number>>) {}

  private ensure(): Map<string, tf.Scalar> {
    if (!this.values) {
      this.values = new Map(Object.entries(this.initial).map(([k, v]) => [k, tf.keep(tf.scalar(v, 'float32'))]));
    }
    return this.values;
  }

  /** The current value (owned by this object: do not dispose). */
  get(name: string): tf.Scalar {
    const v = this.ensure().get(name);
    if (!v) throw new Error(`${this.owner}: unknown state "${name}"`);
    return v;
  }

  /** Replaces a value; `value` is kept (it may come from inside a tidy) and the old one freed. */
  set(name: string, value: tf.Tensor): void {
    const values = this.ensure();
    const old = values.get(name);
    if (!old) throw new Error(`${this.owner}: unknown state "${name}"`);
    const scalar = value.rank === 0 ? (value as tf.Scalar) : (tf.reshape(value, []) as tf.Scalar);
    if (scalar === old) return;
    values.set(name, tf.keep(scalar));
    old.dispose();
  }

  getState(): PluginState {
    return { tensors: Object.fromEntries(this.ensure()) };
  }

  /** Copies the given tensors (the caller may free them, e.g. the trainer's restore scope). */
  setState(state: PluginState): void {
    const incoming = state.tensors ?? {};
    for (const name of Object.keys(this.initial)) {
      const t = incoming[name];
      if (!t) throw new Error(`${this.owner}: the saved state has no "${name}" tensor (has: ${Object.keys(incoming).join(', ') || 'none'})`);
      if (t.size !== 1) throw new Error(`${this.owner}: saved state "${name}" must hold one value, got shape [${t.shape}]`);
    }
    for (const name of Object.keys(this.initial)) {
      this.set(name, tf.tidy(() => tf.cast(tf.reshape(incoming[name] as tf.Tensor, []), 'float32')));
    }
  }

  dispose(): void {
    for (const v of this.values?.values() ?? []) v.dispose();
    this.values = null;
  }
}
