import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng } from '@fr/core';
import { createBackbone, torchStateDictLayout } from '@fr/backbones';
import { useCpu } from './support/setup.js';
import { decodeEntry, torchToState, type TorchEntry } from './support/torch-weights.js';

interface Case {
  key: string;
  architecture: string;
  options: Record<string, unknown>;
  state: Record<string, TorchEntry>;
  input: TorchEntry;
  embeddingEval: TorchEntry;
  embeddingTrain: TorchEntry;
  auxEval: Record<string, TorchEntry>;
}

// Written by fixtures/make_torch_reference.py from PyTorch modules following the spec.
const reference = JSON.parse(readFileSync(new URL('./fixtures/torch-reference.json', import.meta.url), 'utf8')) as { cases: Case[] };

beforeAll(useCpu);

/** |a − e| ≤ atol + rtol·|e| everywhere. */
function expectClose(actual: tf.Tensor, expected: tf.Tensor, atol = 1e-5, rtol = 1e-4): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (e[i] as number)) - rtol * Math.abs(e[i] as number));
  expect(worst).toBeLessThanOrEqual(atol);
}

describe('same outputs as the PyTorch reference (NCHW, PyTorch padding/flatten/attention)', () => {
  test.each(reference.cases.map((c) => [c.key, c] as const))('%s', (_key, c) => {
    const backbone = createBackbone(c.architecture, c.options, { shapeOnly: true });
    const state = torchToState(backbone, c.state);
    // Every tensor of the reference is covered by the layout (num_batches_tracked is not written by the script).
    expect(Object.keys(c.state).sort()).toEqual(torchStateDictLayout(backbone).filter((e) => e.name !== null).map((e) => e.torchKey).sort());
    expect(state.size).toBe(backbone.module.stateDict().size);
    backbone.module.loadStateDict(state);
    const x = tf.transpose(decodeEntry(c.input), [0, 2, 3, 1]) as tf.Tensor4D; // NCHW → NHWC
    const evalOut = backbone.forward(x, { training: false, rng: Rng.fromSeed(0) });
    expectClose(evalOut.embedding, decodeEntry(c.embeddingEval));
    for (const [name, entry] of Object.entries(c.auxEval)) expectClose(evalOut.aux[name] as tf.Tensor, decodeEntry(entry));
    expect(Object.keys(evalOut.aux).sort()).toEqual(Object.keys(c.auxEval).sort());
    const trainOut = backbone.forward(x, { training: true, rng: Rng.fromSeed(0) });
    expectClose(trainOut.embedding, decodeEntry(c.embeddingTrain));
    backbone.module.dispose();
  });
});
