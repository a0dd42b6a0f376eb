/**
 * `data.labelNoise` (closed-set noise injected into the training labels, the clean ones kept) and
 * the two hooks of `trainRecipe` that a comparison needs: code-only plugin options (BoundaryFace's
 * onCorrection) and `onTrainer` (the data with its truth, the trainer's events).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import type { BoundaryCorrectionEvent } from '@fr/loss-boundary';
import { loadRecipe, trainRecipe, type InjectedLabelNoise } from '../src/index.js';

const tiny = fileURLToPath(new URL('./fixtures/tiny.json', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'fr-noise-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { conditions: ['@fr/source'], progress: null, log: () => undefined, handleSigint: false } as const;
const boundary = 'margin={package: "@fr/loss-boundary", export: boundaryFace, options: {s: 16, m: 0.1, epochStart: -1}}';

describe('data.labelNoise', () => {
  test('moves round(rate·n) labels; batches carry the moved labels; BoundaryFace reports through code options; onTrainer sees the truth', async () => {
    const set = [`output.dir=${out}/noisy`, 'steps=8', 'evaluation.atStart=false', 'output.report=false', 'output.saveModel=false', 'data.labelNoise={rate: 0.25, seed: 3}', boundary];
    let truth: InjectedLabelNoise | null = null;
    let description = '';
    const events: BoundaryCorrectionEvent[] = [];
    const lines: string[] = [];
    const result = await trainRecipe(loadRecipe(tiny, { set }), {
      ...quiet,
      log: (l) => lines.push(l),
      pluginOptions: { margin: { onCorrection: (e: BoundaryCorrectionEvent) => events.push(e) } },
      onTrainer: ({ data, trainer }) => {
        truth = data.labelNoise;
        description = data.description;
        expect(trainer.totalSteps).toBe(8);
      },
    });
    expect(result.reason).toBe('completed');
    const injected = truth as InjectedLabelNoise | null;
    if (!injected) throw new Error('onTrainer did not receive the label noise');
    // The synthetic fallback: 8 identities × 8 images.
    expect(injected.noise.labels.length).toBe(64);
    expect(injected.noise.flipped.length).toBe(16);
    expect(description).toMatch(/25% closed-set label noise: 16 of 64 labels moved to another identity \(seed 3\)/);
    expect(lines.join('\n')).toContain('16 of 64 labels moved');
    // One report per training step (epochStart −1: correcting from the first step); every batch
    // label is the moved label of its sample id, never the clean one where they differ.
    expect(events.map((e) => e.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const indexOf = new Map(injected.ids.map((id, i) => [id, i]));
    let movedSeen = 0;
    for (const e of events) {
      e.ids?.forEach((id, k) => {
        const i = indexOf.get(id) as number;
        expect(e.batchLabels[k]).toBe(injected.noise.labels[i]);
        if (injected.noise.labels[i] !== injected.noise.clean[i]) movedSeen++;
      });
    }
    expect(movedSeen).toBeGreaterThan(0);
  });

  test('the noise seed defaults to the recipe seed', async () => {
    const noiseOf = async (seed: number, name: string): Promise<InjectedLabelNoise | null> => {
      let truth: InjectedLabelNoise | null = null;
      await trainRecipe(loadRecipe(tiny, { set: [`output.dir=${out}/${name}`, 'steps=1', `seed=${seed}`, 'evaluation.atStart=false', 'output.report=false', 'output.saveModel=false', 'data.labelNoise={rate: 0.2}'] }), {
        ...quiet, onTrainer: ({ data }) => { truth = data.labelNoise; },
      });
      return truth;
    };
    const [a, b] = [await noiseOf(5, 'a'), await noiseOf(6, 'b')];
    expect(a?.noise.seed).toBe(5);
    expect(b?.noise.seed).toBe(6);
    expect([...(a?.noise.flipped ?? [])]).not.toEqual([...(b?.noise.flipped ?? [])]);
  });

  test('code options for a slot the recipe does not fill, or one the plugin does not read, are errors', async () => {
    const loaded = () => loadRecipe(tiny, { set: [`output.dir=${out}/bad`, 'steps=1'] });
    await expect(trainRecipe(loaded(), { ...quiet, pluginOptions: { 'losses.0': { weight: 1 } } }))
      .rejects.toThrow(/code options for "losses.0": the recipe has no plugin there \(its plugins: centers, margin\)/);
    await expect(trainRecipe(loaded(), { ...quiet, pluginOptions: { margin: { onCorrection: () => undefined } } }))
      .rejects.toThrow(/margin \(@fr\/loss-arcface arcface\): unknown option "onCorrection"/);
  });
});
