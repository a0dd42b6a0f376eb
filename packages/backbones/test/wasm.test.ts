import { describe, expect, test } from 'vitest';
import { tf, Rng, l2Normalize, selectBackend } from '@fr/core';
import { createBackbone, embed } from '@fr/backbones';
import { seededTensor, useCpu } from './support/setup.js';
import { TINY, images, projectionLoss } from './support/checks.js';

/** Eval and training-mode (batch statistics, masking) embeddings on the current backend. */
function run(which: keyof typeof TINY): { eval: number[]; train: number[] } {
  const { name, options } = TINY[which];
  const b = createBackbone(name, options, { rng: Rng.fromSeed(21) });
  const x = seededTensor([3, options.inputSize, options.inputSize, 3], 5) as tf.Tensor4D;
  const evalEmb = Array.from(embed(b, x).dataSync());
  const train = tf.tidy(() => Array.from(l2Normalize(b.forward(x, { training: true, rng: Rng.fromSeed(2) }).embedding).dataSync()));
  x.dispose();
  b.module.dispose();
  return { eval: evalEmb, train };
}

const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

/** Gradients of every trainable parameter for one training step on the current backend. */
function gradients(which: keyof typeof TINY): Map<string, Float32Array> {
  const { name, options } = TINY[which];
  const b = createBackbone(name, options, { rng: Rng.fromSeed(3) });
  const x = images(b, 4);
  const vars = b.module.trainableVariables();
  const { value, grads } = tf.variableGrads(() => projectionLoss(b, x, Rng.fromSeed(1)), [...vars.values()]);
  const out = new Map([...vars].map(([n, v]) => [n, grads[v.name]!.dataSync() as Float32Array]));
  tf.dispose([value, x, ...Object.values(grads)]);
  b.module.dispose();
  return out;
}

function l2(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) ** 2;
  return Math.sqrt(s);
}

describe('wasm backend', () => {
  test.each(Object.keys(TINY) as (keyof typeof TINY)[])('%s: eval and training forward match the cpu backend', async (which) => {
    await useCpu();
    const cpu = run(which);
    await selectBackend('wasm', { log: null });
    expect(tf.getBackend()).toBe('wasm');
    const wasm = run(which);
    expect(maxDiff(wasm.eval, cpu.eval)).toBeLessThan(1e-4);
    expect(maxDiff(wasm.train, cpu.train)).toBeLessThan(1e-4);
  });

  // Uses the training kernels @fr/core registers for wasm (conv/depthwise filter gradients, …).
  test.each(Object.keys(TINY) as (keyof typeof TINY)[])('%s: a training step gives the cpu gradients', async (which) => {
    await useCpu();
    const cpu = gradients(which);
    await selectBackend('wasm', { log: null });
    const wasm = gradients(which);
    // Relative to each gradient's norm, floored at 1% of the median norm: some BN β gradients are
    // ~0 in exact arithmetic (a following training-mode BN cancels them), i.e. pure rounding.
    const norms = [...cpu.values()].map(l2).sort((a, b) => a - b);
    const floor = 1e-2 * (norms[Math.floor(norms.length / 2)] as number);
    const worst: [string, number][] = [...cpu].map(([n, g]) => {
      const w = wasm.get(n) as Float32Array;
      return [n, l2(g.map((v, i) => v - (w[i] as number))) / Math.max(l2(g), floor)];
    });
    worst.sort((a, b) => b[1] - a[1]);
    expect(worst[0]![1], worst[0]![0]).toBeLessThan(5e-3);
  });
});
