import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  tf, createTrainer, defineAugment, defineLoss, defineMargin, fullFC, syntheticIdentities, selectBackend, type TrainerConfigInput,
} from '../src/index.js';
import { tinyBackbone } from '../src/testing/index.js';

const normSoftmax = () => defineMargin({ name: 'norm-softmax', logits: ({ cosine }) => ({ logits: tf.mul(cosine, 16) as tf.Tensor2D }) });
const config = (over: Partial<TrainerConfigInput> = {}): TrainerConfigInput => ({
  batchSize: 8, steps: 4, seed: 3, optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 }, log: { progress: false }, ...over,
});
function parts(numClasses = 4) {
  return {
    dataset: syntheticIdentities({ numClasses, imagesPerClass: 8, inputSize: 16, seed: 11 }),
    backbone: tinyBackbone({ inputSize: 16, embeddingSize: 8, seed: 5 }),
    centers: fullFC({ numClasses, embeddingSize: 8, seed: 9 }),
    margin: normSoftmax(),
  };
}

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

describe('plugin outputs are checked in the trainer, naming the plugin', () => {
  for (const delta of [-1, 1]) {
    test(`a margin head returning logits [B, C${delta > 0 ? '+' : '−'}1] stops at the first step`, async () => {
      const wrong = defineMargin({
        name: 'off-by-one',
        logits: ({ cosine }) => ({ logits: (delta < 0 ? tf.slice(cosine, [0, 0], [-1, cosine.shape[1] - 1]) : tf.pad(cosine, [[0, 0], [0, 1]])) as tf.Tensor2D }),
      });
      const trainer = createTrainer({ ...parts(), margin: wrong, config: config() });
      const steps: number[] = [];
      trainer.on('step', (e) => steps.push(e.step));
      await expect(trainer.fit({ handleSigint: false })).rejects.toThrow(`margin head "off-by-one" returned logits of shape [8,${4 + delta}], expected [8, 4]`);
      expect(steps).toEqual([]);
      trainer.dispose();
    });
  }

  test('sample weights, terms and rewritten targets of the wrong shape', async () => {
    const weights = defineLoss({ name: 'w', sampleWeights: () => ({ weights: tf.ones([3]) as tf.Tensor1D }) });
    await expect(createTrainer({ ...parts(), losses: [weights], config: config() }).fit({ handleSigint: false })).rejects.toThrow(/loss plugin "w" returned sample weights of shape \[3\], expected \[8\]/);
    const termHead = defineMargin({ name: 'vector-term', logits: ({ cosine }) => ({ logits: cosine, terms: { reg: tf.zeros([2]) as tf.Scalar } }) });
    await expect(createTrainer({ ...parts(), margin: termHead, config: config() }).fit({ handleSigint: false })).rejects.toThrow(/margin head "vector-term" returned term "reg" of shape \[2\], expected \[\]/);
    const targetHead = defineMargin({ name: 'targets', logits: ({ cosine }) => ({ logits: cosine, targets: tf.zeros([2], 'int32') as tf.Tensor1D }) });
    await expect(createTrainer({ ...parts(), margin: targetHead, config: config() }).fit({ handleSigint: false })).rejects.toThrow(/margin head "targets" returned rewritten targets of shape \[2\], expected \[8\]/);
  });

  test('an augment must say what the clean view becomes', async () => {
    const forgot = defineAugment({ name: 'forgetful', apply: ({ input }) => ({ input }) as never });
    await expect(createTrainer({ ...parts(), augments: [forgot], config: config() }).fit({ handleSigint: false }))
      .rejects.toThrow(/augment plugin "forgetful" returned clean = undefined: return a tensor, 'same-as-input' or 'unchanged'/);
    const seen: number[] = [];
    const spy = defineLoss({ name: 'spy', terms: ({ input, cleanInput }) => {
      seen.push(tf.max(tf.abs(tf.sub(input, cleanInput))).dataSync()[0] as number);
      return { terms: { zero: tf.scalar(0) } };
    } });
    const flip = defineAugment({ name: 'flip', apply: ({ input }) => ({ input: tf.reverse(input, 2) as tf.Tensor4D, clean: 'same-as-input' }) });
    const noise = defineAugment({ name: 'noise', apply: ({ input }) => ({ input: tf.add(input, 1) as tf.Tensor4D, clean: 'unchanged' }) });
    await createTrainer({ ...parts(), augments: [flip, noise], losses: [spy], config: config({ steps: 1 }) }).fit({ handleSigint: false });
    // clean = the flipped batch (same-as-input), not the noisy one (unchanged): they differ by exactly 1.
    expect(seen[0]).toBeCloseTo(1, 5);
  });
});

describe('lifecycle hooks', () => {
  test('onFitStart, onStepEnd after every step (before its step event), onFitEnd; awaited in order', async () => {
    const calls: string[] = [];
    const hooked = defineLoss({
      name: 'hooked',
      terms: () => ({ terms: { zero: tf.scalar(0) } }),
      onFitStart: (info) => void calls.push(`start ${info.step}/${info.totalSteps} ${info.resumedFrom}`),
      onStepEnd: async (info) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        calls.push(`end ${info.step} ${info.skipped}`);
      },
      onFitEnd: async (info) => void calls.push(`fit-end ${info.step} ${info.reason}`),
    });
    const trainer = createTrainer({ ...parts(), losses: [hooked], config: config({ steps: 2 }) });
    trainer.on('step', (e) => calls.push(`event ${e.step}`));
    await trainer.fit({ handleSigint: false });
    expect(calls).toEqual(['start 0/2 null', 'end 0 false', 'event 0', 'end 1 false', 'event 1', 'fit-end 2 completed']);
  });

  test('a failing hook stops the run naming the plugin; onFitEnd still runs', async () => {
    const ended: string[] = [];
    const failing = defineLoss({
      name: 'flaky',
      terms: () => ({ terms: { zero: tf.scalar(0) } }),
      onStepEnd: (info) => {
        if (info.step === 1) throw new Error('disk full');
      },
      onFitEnd: (info) => void ended.push(info.reason),
    });
    const trainer = createTrainer({ ...parts(), losses: [failing], config: config() });
    await expect(trainer.fit({ handleSigint: false })).rejects.toThrow('loss plugin "flaky" failed in onStepEnd at step 2: disk full');
    expect(ended).toEqual(['stopped']);
  });
});

describe('resume: latest', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  test('a damaged newest checkpoint is skipped with a warning naming it, kept on disk; the run resumes from the newest valid one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fr-resume-'));
    const run = (steps: number) => createTrainer({ ...parts(), config: config({ steps, checkpoint: { dir, every: 2, keep: 5 } }) });
    const full: number[] = [];
    const reference = run(6);
    reference.on('step', (e) => full.push(e.loss));
    await reference.fit({ handleSigint: false });
    reference.dispose();
    rmSync(dir, { recursive: true, force: true });

    const first = run(6);
    const stop = new AbortController();
    first.on('step', (e) => e.step === 3 && stop.abort());
    await first.fit({ handleSigint: false, signal: stop.signal }); // checkpoints at steps 2 and 4
    first.dispose();
    const names = readdirSync(dir).sort();
    expect(names).toEqual(['step-00000002.frckpt', 'step-00000004.frckpt']);
    const newest = join(dir, names[1]!);
    const bytes = readFileSync(newest);
    writeFileSync(newest, bytes.subarray(0, bytes.length >> 1)); // torn by a crash, say

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const second = run(6);
    const warnings: string[] = [];
    const resumed: number[] = [];
    second.on('warning', (e) => warnings.push(e.message));
    second.on('step', (e) => resumed.push(e.loss));
    await second.fit({ handleSigint: false, resume: 'latest' });
    second.dispose();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(newest);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(newest));
    // The damaged file is kept, set aside so that the resumed run's own step-4 checkpoint cannot overwrite it.
    expect(readFileSync(`${newest}.damaged`)).toEqual(bytes.subarray(0, bytes.length >> 1));
    expect(warnings[0]).toContain(`${newest}.damaged`);
    expect(resumed).toEqual(full.slice(2)); // from step 2, exactly the uninterrupted run's losses
  });
});
