/**
 * @fr/transface — TransFace (ICCV 2023) training strategies for @fr, as in the official code:
 * EHSM (entropy-guided hard sample mining: detached per-sample weights from the SE-gated ViT's
 * token std) and DPAP (dominant patch amplitude perturbation: float64 spectrum mixing of the
 * top-K patches ranked by the SE gate). The backbone (ViT + SE gate) is `transface_*` in
 * `@fr/backbones`; the margin is the straight-through ArcFace of `@fr/loss-arcface`.
 * @example
 * ```ts
 * import { dpap, ehsm } from '@fr/transface';
 * const trainer = createTrainer({ backbone, centers, margin, losses: [ehsm()], augments: [dpap()], dataset, config });
 * ```
 * @packageDocumentation
 */
export { ehsm, ehsmWeights, tokenStd, type EhsmOptions, type EhsmSource, type EhsmWeights } from './ehsm.js';
export { dpap, type DpapOptions, type DpapCompute } from './dpap/plugin.js';
export {
  dpapBatch, drawDpap, dpapGeometry, rankPatches,
  type DpapBatchOptions, type DpapBatchResult, type DpapDraws, type DpapDrawOptions, type DpapGeometry, type DpapPatch, type PixelBatch,
} from './dpap/batch.js';
export { dpapBatchTensor, donorChainBound, type DpapTensorResult } from './dpap/device.js';
export { amplitudeSpectrumMix, toPixel, type AmplitudeMixOptions, type AmplitudeMixResult, type DpapTruncate } from './dpap/spectrum.js';
