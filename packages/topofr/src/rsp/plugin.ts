import { defineAugment, type AugmentPlugin, checkChoice, checkNumber } from '@fr/core';
import { BLUR_KERNEL } from './ops.js';
import { drawRsp, rsp, type ErasingLeak } from './rsp.js';

/** Options of {@link randomStructurePerturbation}. */
export interface RandomStructurePerturbationOptions {
  /** ψ, the chance that a sample is perturbed (default 0.2, the official value; perturbed iff u ≤ ψ). */
  readonly probability?: number;
  /** Default `fixed` (the clean batch stays clean); `official` reproduces the in-place erasing leak. */
  readonly erasingLeak?: ErasingLeak;
  /** Plugin name (default `rsp`). */
  readonly name?: string;
}

/**
 * TopoFR's Random Structure Perturbation (PTSA-1) as an augment plugin. Each sample, with
 * probability ψ, gets one of: GaussianBlur (kernel 5 wide × 9 high, σ ~ U(0.1, 5), reflect
 * padding), Grayscale (3 channels), ColorJitter (brightness [0.1, 0.5], contrast [0.3, 0.6],
 * saturation [0.2, 0.5], hue [−0.1, 0.3], random order) or timm RandomErasing (one box set to 0).
 * The perturbed batch goes to the backbone; the clean batch is handed on for ISA
 * ({@link topologyAlignment}) unchanged, or with the official erasing leak.
 *
 * All randomness comes from the plugin's own stream (`ctx.rng`, checkpointed by the trainer); the
 * ops are tensor ops (any backend, nothing read back). Expects inputs normalised to [−1, 1]
 * (`minus1to1`), NHWC, at least 3 wide and 5 high (the blur's reflect padding).
 *
 * Logged metric: `<name>/perturbed`, the fraction of the batch perturbed.
 * @example
 * ```ts
 * const augments = [randomStructurePerturbation()];                          // ψ 0.2, no leak
 * const asReleased = randomStructurePerturbation({ erasingLeak: 'official' });
 * ```
 */
export function randomStructurePerturbation(options: RandomStructurePerturbationOptions = {}): AugmentPlugin {
  const owner = 'randomStructurePerturbation';
  const probability = checkNumber(owner, 'probability', options.probability ?? 0.2, 'probability');
  const erasingLeak = checkChoice<ErasingLeak>(owner, 'erasingLeak', options.erasingLeak ?? 'fixed', ['fixed', 'official']);
  return defineAugment({
    name: options.name ?? 'rsp',
    apply: (batch, ctx) => {
      const [b, h, w] = batch.input.shape;
      // Checked every step, not only when a blur is drawn: a too-small input fails at once, not at random.
      if (h < BLUR_KERNEL.height / 2 || w < BLUR_KERNEL.width / 2) {
        throw new Error(`randomStructurePerturbation: GaussianBlur's ${BLUR_KERNEL.width}×${BLUR_KERNEL.height} kernel with reflect padding needs images at least 3×5 (W×H), got ${w}×${h}`);
      }
      const draws = drawRsp(ctx.rng, b, h, w, probability);
      const { imgAug, imgClean } = rsp(batch.input, draws, { clean: batch.clean, erasingLeak });
      const perturbed = draws.filter((d) => d.perturbed).length;
      return { input: imgAug, clean: imgClean, metrics: { perturbed: perturbed / b } };
    },
  });
}
