import { tf } from '../../tf.js';
import type { Optimizer, OptimizerState } from './optimizer.js';
import { restoreSlots } from './slots.js';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

/**
 * `torch.optim.SGD` (dampening 0): d = g + wd·p; buf = μ·buf + d (buf = d at its first step);
 * d = d + μ·buf with Nesterov, else buf; p ← p − lr·d.
 */
export class Sgd implements Optimizer {
  readonly type = 'sgd' as const;
  private readonly momentumBuffers = new Map<string, tf.Variable>();

  constructor(private readonly options: SgdOptions) {
    if (options.nesterov && options.momentum <= 0) throw new Error('Nesterov momentum needs momentum > 0');
  }

  apply(params: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number, noDecay: ReadonlySet<string>): void {
    const { momentum, weightDecay, nesterov } = this.options;
    // One tidy per parameter: temporaries of a huge centre bank never pile up across parameters.
    for (const [name, grad] of grads) {
      tf.tidy(() => {
        const p = params.get(name);
        if (!p) throw new Error(`SGD: gradient for unknown parameter "${name}"`);
        let d: tf.Tensor = weightDecay > 0 && !noDecay.has(name) ? tf.add(grad, tf.mul(p, weightDecay)) : grad;
        if (momentum > 0) {
          const buf = this.momentumBuffers.get(name);
          let next: tf.Tensor;
          if (buf) {
            next = tf.add(tf.mul(buf, momentum), d);
            buf.assign(next);
          } else {
            next = d;
            this.momentumBuffers.set(name, tf.variable(tf.clone(d), false));
          }
          d = nesterov ? tf.add(d, tf.mul(next, momentum)) : next;
        }
        p.assign(tf.sub(p, tf.mul(d, lr)));
      });
    }
  }

  getState(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, buf] of this.momentumBuffers) tensors[`momentum/${name}`] = buf;
    return { json: {}, tensors };
  }

  setState(state: OptimizerState, params: ReadonlyMap<string, tf.Variable>): void {
    restoreSlots('SGD', ['momentum'], state.tensors, params, (slot, name, value) => {
      this.momentumBuffers.get(name)?.dispose();
      this.momentumBuffers.set(name, value);
    });
  }

  dispose(): void {
    for (const v of this.momentumBuffers.values()) v.dispose();
    this.momentumBuffers.clear();
  }
}
