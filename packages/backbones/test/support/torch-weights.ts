import { tf, type Module } from '@fr/core';

/** A tensor as the PyTorch reference writes it: shape + base64 little-endian float32. */
export interface TorchEntry {
  readonly shape: number[];
  readonly data: string;
}

export function decodeEntry(e: TorchEntry): tf.Tensor {
  const bytes = Buffer.from(e.data, 'base64');
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return tf.tensor(values, e.shape);
}

/**
 * Maps a PyTorch state dict onto one of our modules whose names mirror it: BN/LN
 * weight/bias/running_* → gamma/beta/runningMean/runningVar, PReLU weight → alpha, conv
 * (O, I, kh, kw) → (kh, kw, I, O), depthwise (C, 1, kh, kw) → (kh, kw, C, 1), Linear (out, in) →
 * (in, out). (A public PyTorch importer could grow from this.)
 */
export function torchToState(module: Module, state: Record<string, TorchEntry>): Map<string, tf.Tensor> {
  const own = module.stateDict();
  const out = new Map<string, tf.Tensor>();
  for (const [key, entry] of Object.entries(state)) {
    const dot = key.lastIndexOf('.');
    const prefix = dot < 0 ? '' : key.slice(0, dot + 1);
    const leaf = key.slice(dot + 1);
    const t = decodeEntry(entry);
    const isNorm = own.has(`${prefix}gamma`);
    let name: string;
    let value: tf.Tensor = t;
    if (leaf === 'running_mean') name = `${prefix}runningMean`;
    else if (leaf === 'running_var') name = `${prefix}runningVar`;
    else if (isNorm) name = `${prefix}${leaf === 'weight' ? 'gamma' : 'beta'}`;
    else if (leaf === 'weight' && own.has(`${prefix}alpha`)) name = `${prefix}alpha`;
    else if (leaf === 'weight' && t.rank === 4) {
      name = key;
      const depthwise = (own.get(key)?.shape[3] ?? 0) === 1 && t.shape[1] === 1 && t.shape[0] !== 1;
      value = tf.transpose(t, depthwise ? [2, 3, 0, 1] : [2, 3, 1, 0]);
    } else if (leaf === 'weight' && t.rank === 2) {
      name = key;
      value = tf.transpose(t);
    } else name = key;
    if (!own.has(name)) throw new Error(`no parameter "${name}" for torch "${key}"`);
    out.set(name, value);
  }
  return out;
}
