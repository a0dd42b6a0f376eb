import { expect } from 'vitest';
import { tf, type Backbone } from '@fr/core';
import { inversePermutation, torchStateDictLayout } from '@fr/backbones';

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
 * The reference's state dict as @fr state-dict tensors, through the public
 * {@link torchStateDictLayout} (names and layouts); every float entry of the layout must be there.
 */
export function torchToState(backbone: Backbone, state: Record<string, TorchEntry>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const entry of torchStateDictLayout(backbone)) {
    if (entry.name === null) continue;
    const given = state[entry.torchKey];
    if (!given) throw new Error(`the reference has no "${entry.torchKey}"`);
    expect(given.shape).toEqual(entry.torchShape);
    const t = decodeEntry(given);
    out.set(entry.name, entry.toTorch ? tf.transpose(t, inversePermutation(entry.toTorch)) : t);
  }
  return out;
}
