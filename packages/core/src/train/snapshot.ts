import { tf } from '../tf.js';
import type { Module } from '../nn/module.js';
import type { Plugin, PluginState } from '../contract/plugin.js';

/** Copies of everything a rejected step could have changed besides the weights it never updates. */
export interface StepSnapshot {
  /** Non-trainable buffers (batch-norm running statistics) and their values before the step. */
  readonly buffers: readonly (readonly [tf.Variable, tf.Tensor])[];
  readonly plugins: readonly (readonly [Plugin, PluginState])[];
}

/** Clones the buffers of `modules` and the state of `plugins` (the clones are the caller's). */
export function takeSnapshot(modules: readonly (Module | undefined)[], plugins: readonly Plugin[]): StepSnapshot {
  const buffers: [tf.Variable, tf.Tensor][] = [];
  for (const module of modules) {
    if (!module) continue;
    const trainable = new Set(module.trainableVariables().values());
    for (const v of module.stateDict().values()) if (!trainable.has(v)) buffers.push([v, tf.clone(v)]);
  }
  const states: [Plugin, PluginState][] = [];
  for (const p of plugins) {
    if (!p.getState) continue;
    const s = p.getState();
    const tensors = Object.fromEntries(Object.entries(s.tensors ?? {}).map(([k, t]) => [k, tf.clone(t)]));
    states.push([p, { json: structuredClone(s.json), tensors }]);
  }
  return { buffers, plugins: states };
}

/** Every tensor of a snapshot (to keep or free them). */
export function snapshotTensors(snap: StepSnapshot): tf.Tensor[] {
  return [...snap.buffers.map(([, t]) => t), ...snap.plugins.flatMap(([, s]) => Object.values(s.tensors ?? {}))];
}

/** Puts the snapshot back (plugins copy what they are given, per the setState rule). */
export function restoreSnapshot(snap: StepSnapshot): void {
  for (const [v, saved] of snap.buffers) v.assign(saved);
  for (const [p, state] of snap.plugins) p.setState?.(state);
}
