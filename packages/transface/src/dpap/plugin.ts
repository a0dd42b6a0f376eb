/**
 * DPAP — Dominant Patch Amplitude Perturbation (TransFace, spec §3.2) as an augment plugin.
 */
import { tf, backendCapabilities, defineAugment, type AugmentPlugin, type BackboneOutput, checkChoice, checkNumber } from '@fr/core';
import {
  dpapGeometry, drawDpap, insertCell, overlayCells, perturbedSamplesOf, rankPatches, resolveBatchOptions, runDpapLoop,
  type DpapBatchOptions, type DpapGeometry,
} from './batch.js';
import { dpapBatchTensor } from './device.js';

/**
 * Where the perturbation is computed.
 * - `host`: float64 JavaScript on host copies of the batch and of the probe's patch weights, read
 *   with `dataSync()` — the exact official arithmetic (the `dpap-batch` golden vectors match
 *   bit for bit). Needs a backend that reads synchronously (`backendCapabilities().readsSync`).
 * - `device`: tensor ops only, no read-back ({@link dpapBatchTensor}); same semantics, float32 DFT
 *   (a pixel may truncate to the neighbouring value where the mixed value lies within float32
 *   error of an integer). For backends that cannot read synchronously.
 * - `auto` (default): `host` where the current backend reads synchronously, `device` elsewhere.
 */
export type DpapCompute = 'auto' | 'host' | 'device';

/** Options of {@link dpap}. Defaults are the official ones. */
export interface DpapOptions extends DpapBatchOptions {
  /** λ ~ U(0, α) per patch (official α = 1; α > 1 extrapolates the amplitude). */
  readonly alpha?: number;
  /** Default `auto`. */
  readonly compute?: DpapCompute;
  /**
   * Run the probe pass every step, even when no sample is perturbed (default true, as the official
   * code, whose no-grad train-mode pass also updates batch-norm statistics every step). With
   * `false` the probe runs only when a sample is perturbed.
   */
  readonly alwaysProbe?: boolean;
  /** Plugin name (default `dpap`). */
  readonly name?: string;
}

/** torch float32: (x·0.5 + 0.5)·255. */
const denormalise = (v: number): number => Math.fround(Math.fround(Math.fround(v * 0.5) + 0.5) * 255);
/** torch float32: (v/255 − 0.5)/0.5. */
const renormalise = (v: number): number => Math.fround(Math.fround(Math.fround(v / 255) - 0.5) / 0.5);

/**
 * TransFace's DPAP as an augment plugin: rank the image patches by the SE gate's weights from a
 * no-grad, train-mode probe pass; with probability p per sample, replace the amplitude spectrum of
 * each of its K dominant patches by a λ-mix with a random patch of a random image of the same batch
 * (λ ~ U(0, α), source phase kept, per channel, whole spectrum), truncate to uint8, in place and in
 * order (later donors may already be perturbed). Works on the de-normalised pixels
 * (x·0.5 + 0.5)·255 and writes back (v/255 − 0.5)/0.5, both in float32 as the official code.
 *
 * **Contract.** Requires `probe` and the backbone's aux output `patchWeights` `(B, grid²)` (the
 * `transface_*` ViTs of `@fr/backbones`). The patch grid is derived from the input size and
 * `patchSize` (9 on 112 → 12×12, pixels in rows/cols ≥ 108 untouched); the number of patch weights
 * must match it, or the step fails with an error saying so. The input must be normalised as
 * `minus1to1` (x/127.5 − 1, the insightface torch convention). `clean` is left unchanged (`clean: 'unchanged'`).
 *
 * Randomness comes only from the plugin's seeded stream (`ctx.rng`, checkpointed by the trainer),
 * in the official order ({@link drawDpap}). Pixels outside the perturbed patches are passed through
 * bit for bit (the official de-/re-normalisation round trip may move them by one float32 ulp).
 *
 * Logged metrics: `perturbedFraction` (perturbed samples / B) and `perturbedPatches`.
 * @example
 * ```ts
 * const augments = [dpap()];                            // K 7, p 0.2, α 1, uint8 truncation
 * const tiny = dpap({ k: 3, probability: 0.5, patchSize: 4 });
 * ```
 */
export function dpap(options: DpapOptions = {}): AugmentPlugin {
  const name = options.name ?? 'dpap';
  const owner = `dpap "${name}"`;
  const o = resolveBatchOptions(owner, options);
  const alpha = checkNumber(owner, 'alpha', options.alpha ?? 1, 'nonNegative');
  const compute = checkChoice(owner, 'compute', options.compute ?? 'auto', ['auto', 'host', 'device']);
  const alwaysProbe = options.alwaysProbe ?? true;
  let geometry: DpapGeometry | null = null;

  const patchWeightsOf = (out: BackboneOutput, batch: number, g: DpapGeometry): tf.Tensor2D => {
    const w = out.aux.patchWeights;
    if (!w) throw new Error(`${owner}: the probe pass returned no aux "patchWeights"`);
    const cells = g.grid * g.grid;
    if (w.rank !== 2 || w.shape[0] !== batch) throw new Error(`${owner}: aux "patchWeights" must be (B, patches) = (${batch}, ${cells}), got [${w.shape}]`);
    if (w.shape[1] !== cells) {
      throw new Error(`${owner}: the backbone gives ${w.shape[1]} patch weights per image, but a ${g.size}×${g.size} input cut into ${g.patchSize}-pixel patches has a ${g.grid}×${g.grid} grid (${cells} patches): set dpap's patchSize to the backbone's patch size`);
    }
    return w as tf.Tensor2D;
  };

  return defineAugment({
    name,
    requires: ['probe', 'aux:patchWeights'],
    apply: (batch, ctx) => {
      const input = batch.input;
      const [b, height, width, channels] = input.shape;
      if (channels !== 3 || height !== width) throw new Error(`${owner}: the input must be (B, S, S, 3), got [${input.shape}]`);
      if (geometry?.size !== height) geometry = dpapGeometry(height, o.patchSize);
      const g = geometry;
      if (o.k > g.grid * g.grid) throw new Error(`${owner}: k ${o.k} exceeds the ${g.grid * g.grid} patches of a ${height}-pixel input`);
      const draws = drawDpap(ctx.rng, b, g.grid, { k: o.k, probability: o.probability, alpha });
      const perturbed = perturbedSamplesOf(draws, b, o.probability);
      const count = perturbed.filter(Boolean).length;
      const metrics = { perturbedFraction: count / b, perturbedPatches: count * o.k };
      if (count === 0 && !alwaysProbe) return { input, clean: 'unchanged', metrics };
      const weights = patchWeightsOf(ctx.probe(), b, g);
      if (count === 0) return { input, clean: 'unchanged', metrics };
      const mode = compute === 'auto' ? (backendCapabilities().readsSync ? 'host' : 'device') : compute;

      if (mode === 'host') {
        const data = input.dataSync() as Float32Array;
        const topk = rankPatches(weights.dataSync(), b, g.grid * g.grid, o.k);
        const store = overlayCells(data, g, denormalise);
        runDpapLoop(g, b, o.k, topk, perturbed, draws, o.truncate, store);
        const out = Float32Array.from(data);
        const cells = g.grid * g.grid;
        for (const [key, values] of store.written) {
          const cell = key % cells;
          insertCell(out, g, Math.floor(key / cells), Math.floor(cell / g.grid), cell % g.grid, values, renormalise);
        }
        return { input: tf.tensor4d(out, [b, height, width, 3]), clean: 'unchanged', metrics };
      }

      const perturbedInput = tf.tidy(() => {
        const pixels = tf.mul(tf.add(tf.mul(input, 0.5), 0.5), 255) as tf.Tensor4D;
        const r = dpapBatchTensor(pixels, weights, draws, o);
        const back = tf.div(tf.sub(tf.div(r.images, 255), 0.5), 0.5);
        return tf.where(tf.cast(r.changed, 'bool'), back, input) as tf.Tensor4D;
      });
      return { input: perturbedInput, clean: 'unchanged', metrics };
    },
  });
}
