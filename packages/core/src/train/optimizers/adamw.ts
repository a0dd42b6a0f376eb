import { tf } from '../../tf.js';
import type { Optimizer, OptimizerState } from './optimizer.js';
import { restoreSlots } from './slots.js';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * `torch.optim.AdamW`: p ← p·(1 − lr·wd); m, v EMAs of g and g²; p ← p − lr·m̂/(sqrt(v̂) + eps)
 * with bias corrections m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ). t counts per parameter.
 */
export class AdamW implements Optimizer {
  readonly type = 'adamw' as const;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly t = new Map<string, number>();

  constructor(private readonly options: AdamWOptions) {}

  apply(params: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number, noDecay: ReadonlySet<string>): void {
    const { beta1, beta2, eps, weightDecay } = this.options;
    // One tidy per parameter: temporaries of a huge centre bank never pile up across parameters.
    for (const [name, grad] of grads) {
      tf.tidy(() => {
        const p = params.get(name);
        if (!p) throw new Error(`AdamW: gradient for unknown parameter "${name}"`);
        if (!this.m.has(name)) {
          this.m.set(name, tf.variable(tf.zerosLike(p), false));
          this.v.set(name, tf.variable(tf.zerosLike(p), false));
        }
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        const t = (this.t.get(name) ?? 0) + 1;
        this.t.set(name, t);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
        const decayed = weightDecay > 0 && !noDecay.has(name) ? tf.mul(p, 1 - lr * weightDecay) : p;
        const stepSize = lr / (1 - Math.pow(beta1, t));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - Math.pow(beta2, t))), eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)));
      });
    }
  }

  getState(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, value] of this.m) tensors[`m/${name}`] = value;
    for (const [name, value] of this.v) tensors[`v/${name}`] = value;
    return { json: { t: Object.fromEntries(this.t) }, tensors };
  }

  setState(state: OptimizerState, params: ReadonlyMap<string, tf.Variable>): void {
    restoreSlots('AdamW', ['m', 'v'], state.tensors, params, (slot, name, value) => {
      const map = slot === 'm' ? this.m : this.v;
      map.get(name)?.dispose();
      map.set(name, value);
    });
    const t = (state.json as { t?: Record<string, number> }).t ?? {};
    this.t.clear();
    for (const [name, count] of Object.entries(t)) this.t.set(name, count);
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
    this.t.clear();
  }
}
