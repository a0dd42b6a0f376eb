/**
 * A minimal PyTorch-like module tree on tfjs-core (no tfjs-layers): named parameters and buffers,
 * train/eval mode, state dicts. Backbones, centre banks and plugins all hold their weights this
 * way, so the trainer, optimisers and checkpoints see one flat, stable `name → Variable` map.
 */
import { tf } from '../tf.js';
import type { Rng } from '../random/rng.js';

/** What a forward pass needs besides its input. */
export interface ForwardContext {
  /** Training mode: batch statistics, dropout, drop-path and token masking are active. */
  readonly training: boolean;
  /** Randomness for this pass (dropout masks, token masking). */
  readonly rng: Rng;
}

export interface ParamOptions {
  /** Receives gradients and optimiser updates (default true). Frozen BN γ sets false. */
  trainable?: boolean;
  /** Weight decay applies (default true, as in insightface: no exclusions). */
  decay?: boolean;
}

interface Entry {
  variable: tf.Variable;
  trainable: boolean;
  decay: boolean;
  buffer: boolean;
}

export abstract class Module {
  private readonly entries = new Map<string, Entry>();
  private readonly children = new Map<string, Module>();
  private isTraining = true;

  get training(): boolean {
    return this.isTraining;
  }

  /** Registers a parameter, taking ownership of `value`. */
  protected param(name: string, value: tf.Tensor, options: ParamOptions = {}): tf.Variable {
    this.assertFreeName(name);
    const trainable = options.trainable ?? true;
    const variable = tf.variable(value, trainable);
    value.dispose();
    this.entries.set(name, { variable, trainable, decay: options.decay ?? true, buffer: false });
    return variable;
  }

  /** Registers a non-trainable state tensor (e.g. batch-norm running statistics). */
  protected buffer(name: string, value: tf.Tensor): tf.Variable {
    this.assertFreeName(name);
    const variable = tf.variable(value, false);
    value.dispose();
    this.entries.set(name, { variable, trainable: false, decay: false, buffer: true });
    return variable;
  }

  /** Registers a sub-module under `name` and returns it. */
  protected child<M extends Module>(name: string, module: M): M {
    this.assertFreeName(name);
    this.children.set(name, module);
    return module;
  }

  private assertFreeName(name: string): void {
    if (this.entries.has(name) || this.children.has(name)) {
      throw new Error(`${this.constructor.name}: "${name}" is already registered`);
    }
  }

  private *walk(prefix: string): Generator<[string, Entry]> {
    for (const [name, entry] of this.entries) yield [prefix + name, entry];
    for (const [name, module] of this.children) yield* module.walk(`${prefix}${name}.`);
  }

  /** Every parameter and buffer, by dotted name, in registration order. */
  stateDict(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, entry] of this.walk('')) out.set(name, entry.variable);
    return out;
  }

  /**
   * Every module of the tree by dotted path (the root as `''`), parents before children, in
   * registration order (PyTorch's `named_modules`): lets exporters ask what layer a parameter
   * belongs to (`instanceof Conv2d`) instead of guessing from its name or shape.
   */
  namedModules(prefix = ''): Map<string, Module> {
    const out = new Map<string, Module>([[prefix, this]]);
    for (const [name, module] of this.children) {
      for (const [path, m] of module.namedModules(prefix ? `${prefix}.${name}` : name)) out.set(path, m);
    }
    return out;
  }

  /** Trainable parameters by dotted name. */
  trainableVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, entry] of this.walk('')) if (entry.trainable) out.set(name, entry.variable);
    return out;
  }

  /** Names of trainable parameters excluded from weight decay. */
  noDecayNames(): Set<string> {
    const out = new Set<string>();
    for (const [name, entry] of this.walk('')) if (entry.trainable && !entry.decay) out.add(name);
    return out;
  }

  /** Number of parameters (buffers excluded). `trainableOnly` skips frozen ones. */
  parameterCount(trainableOnly = false): number {
    let n = 0;
    for (const [, entry] of this.walk('')) {
      if (entry.buffer || (trainableOnly && !entry.trainable)) continue;
      n += entry.variable.size;
    }
    return n;
  }

  /** Switches this module and all children between training and evaluation mode. */
  train(mode = true): this {
    this.isTraining = mode;
    for (const module of this.children.values()) module.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Copies values into the parameters and buffers. Throws, naming every offending entry, on a
   * missing name (when `strict`), an unknown name, or a shape mismatch; nothing is changed then.
   */
  loadStateDict(values: ReadonlyMap<string, tf.Tensor> | Record<string, tf.Tensor>, strict = true): void {
    const source = values instanceof Map ? values : new Map(Object.entries(values));
    const own = this.stateDict();
    const problems: string[] = [];
    for (const [name, tensor] of source) {
      const target = own.get(name);
      if (!target) problems.push(`unexpected "${name}"`);
      else if (!tf.util.arraysEqual(target.shape, tensor.shape)) {
        problems.push(`"${name}" has shape [${tensor.shape}] but the module expects [${target.shape}]`);
      }
    }
    if (strict) for (const name of own.keys()) if (!source.has(name)) problems.push(`missing "${name}"`);
    if (problems.length > 0) {
      throw new Error(`${this.constructor.name}.loadStateDict: ${problems.join('; ')}`);
    }
    tf.tidy(() => {
      for (const [name, tensor] of source) {
        (own.get(name) as tf.Variable).assign(tensor.dtype === 'float32' ? tensor : tf.cast(tensor, 'float32'));
      }
    });
  }

  /** Frees every variable of this module tree. */
  dispose(): void {
    for (const [, entry] of this.walk('')) entry.variable.dispose();
  }
}

/** Initial-value helper context handed to layer constructors. */
export interface InitContext {
  readonly rng: Rng;
}
