/**
 * Everything a run needs to continue exactly, as one checkpoint: weights (`model/…`), optimiser
 * slots (`optim/…`), plugin state (`state/<plugin>/…` + JSON), every random stream, the data
 * position and the config. Written in one place, restored in one place (arcface_torch style);
 * restoring validates everything before it changes anything.
 */
import { tf } from '../tf.js';
import type { Module } from '../nn/module.js';
import type { Backbone } from '../contract/backbone.js';
import type { Plugin } from '../contract/plugin.js';
import { Rng, type RngState } from '../random/rng.js';
import type { Optimizer } from '../train/optimizers/index.js';
import type { CheckpointContents, HostTensor } from './format.js';

/** Where a run is: the next step, its epoch and the batches of that epoch already consumed. */
export interface TrainingPosition {
  readonly step: number;
  readonly epoch: number;
  readonly batchInEpoch: number;
}

/** The run's random streams: the backbone's (dropout), the probe pass's and one per plugin. */
export interface TrainerRngs {
  readonly backbone: Rng;
  readonly probe: Rng;
  readonly plugins: ReadonlyMap<string, Rng>;
}

/** The streams a fresh run with `seed` starts from. */
export function trainerRngs(seed: number, plugins: readonly Plugin[]): TrainerRngs {
  const root = Rng.fromSeed(seed);
  return {
    backbone: root.fork('backbone'),
    probe: root.fork('probe'),
    plugins: new Map(plugins.map((p) => [p.name, root.fork(`plugin:${p.name}`)])),
  };
}

/** The parts of a trainer a checkpoint holds. */
export interface TrainerStateParts {
  readonly backbone: Backbone;
  readonly plugins: readonly Plugin[];
  readonly optimizer: Optimizer;
  readonly params: ReadonlyMap<string, tf.Variable>;
  readonly seed: number;
  /** Extra JSON written into the checkpoint's meta (config, total steps, backend…). */
  readonly meta: Readonly<Record<string, unknown>>;
}

function modulesOf(parts: TrainerStateParts): [string, Module][] {
  const modules: [string, Module][] = [['model/backbone/', parts.backbone.module]];
  for (const p of parts.plugins) if (p.module) modules.push([`model/plugin/${p.name}/`, p.module]);
  return modules;
}

/** Everything needed to continue the run, as host data (backend-neutral). */
export async function captureTrainerState(parts: TrainerStateParts, position: TrainingPosition, rngs: TrainerRngs): Promise<CheckpointContents> {
  const tensors = new Map<string, HostTensor>();
  const add = async (name: string, t: tf.Tensor): Promise<void> => {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`Cannot checkpoint "${name}": dtype ${t.dtype}`);
    const data = (await t.data()) as Float32Array | Int32Array;
    tensors.set(name, { dtype: t.dtype, shape: [...t.shape], data: data.slice() });
  };
  for (const [prefix, module] of modulesOf(parts)) for (const [name, v] of module.stateDict()) await add(prefix + name, v);
  const pluginState: Record<string, unknown> = {};
  for (const p of parts.plugins) {
    if (!p.getState) continue;
    const s = p.getState();
    pluginState[p.name] = s.json ?? null;
    for (const [name, t] of Object.entries(s.tensors ?? {})) await add(`state/${p.name}/${name}`, t);
  }
  const opt = parts.optimizer.getState();
  for (const [name, t] of Object.entries(opt.tensors)) await add(`optim/${name}`, t);
  const rng: Record<string, RngState> = { backbone: rngs.backbone.getState(), probe: rngs.probe.getState() };
  for (const [name, r] of rngs.plugins) rng[`plugin:${name}`] = r.getState();
  return {
    meta: {
      library: '@fr/core',
      position: { ...position },
      seed: parts.seed,
      ...parts.meta,
      backbone: { name: parts.backbone.name, config: parts.backbone.config },
      plugins: parts.plugins.map((p) => ({ name: p.name, kind: p.kind })),
      pluginState,
      optimizer: { type: parts.optimizer.type, json: opt.json },
      rng,
      createdAt: new Date().toISOString(),
    },
    tensors,
  };
}

/**
 * Restores weights, buffers, plugin state and optimiser slots from `contents`, and returns the
 * position and random streams to continue with. Throws (changing nothing) when the checkpoint is
 * for another backbone, plugin list or optimiser, or a weight is missing or of another shape.
 */
export function restoreTrainerState(parts: TrainerStateParts, contents: CheckpointContents, source = 'checkpoint'): { position: TrainingPosition; rngs: TrainerRngs } {
  const meta = contents.meta as {
    position?: TrainingPosition;
    backbone?: { name: string };
    plugins?: { name: string; kind: string }[];
    pluginState?: Record<string, unknown>;
    optimizer?: { type: string; json: Record<string, unknown> };
    rng?: Record<string, RngState>;
  };
  const problems: string[] = [];
  if (!meta.position) problems.push('it holds no training position');
  if (meta.backbone?.name !== parts.backbone.name) problems.push(`it is for backbone "${meta.backbone?.name}", not "${parts.backbone.name}"`);
  const want = parts.plugins.map((p) => `${p.kind}:${p.name}`).join(', ');
  const have = (meta.plugins ?? []).map((p) => `${p.kind}:${p.name}`).join(', ');
  if (want !== have) problems.push(`its plugins are [${have}] but this trainer has [${want}]`);
  if (meta.optimizer?.type !== parts.optimizer.type) problems.push(`its optimiser is ${meta.optimizer?.type}, this trainer uses ${parts.optimizer.type}`);
  const modules = modulesOf(parts);
  for (const [prefix, module] of modules) {
    for (const [name, v] of module.stateDict()) {
      const saved = contents.tensors.get(prefix + name);
      if (!saved) problems.push(`"${prefix + name}" is missing`);
      else if (!tf.util.arraysEqual([...saved.shape], v.shape)) problems.push(`"${prefix + name}" has shape [${saved.shape}], the model has [${v.shape}]`);
    }
  }
  if (problems.length > 0) throw new Error(`Cannot resume from ${source}: ${problems.join('; ')}`);

  tf.tidy(() => {
    const toTensor = (t: HostTensor): tf.Tensor => tf.tensor(t.data, [...t.shape], t.dtype);
    const withPrefix = (prefix: string): Record<string, tf.Tensor> => {
      const out: Record<string, tf.Tensor> = {};
      for (const [name, t] of contents.tensors) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = toTensor(t);
      return out;
    };
    for (const [prefix, module] of modules) {
      const values = new Map<string, tf.Tensor>();
      for (const name of module.stateDict().keys()) values.set(name, toTensor(contents.tensors.get(prefix + name) as HostTensor));
      module.loadStateDict(values);
    }
    // setState copies what it keeps: the tidy frees these tensors (the PluginState ownership rule).
    for (const p of parts.plugins) p.setState?.({ json: meta.pluginState?.[p.name], tensors: withPrefix(`state/${p.name}/`) });
    parts.optimizer.setState({ json: meta.optimizer?.json ?? {}, tensors: withPrefix('optim/') }, parts.params);
  });
  const rngs = trainerRngs(parts.seed, parts.plugins);
  const saved = meta.rng ?? {};
  if (saved.backbone) rngs.backbone.setState(saved.backbone);
  if (saved.probe) rngs.probe.setState(saved.probe);
  for (const [name, r] of rngs.plugins) {
    const state = saved[`plugin:${name}`];
    if (state) r.setState(state);
  }
  return { position: { ...(meta.position as TrainingPosition) }, rngs };
}
