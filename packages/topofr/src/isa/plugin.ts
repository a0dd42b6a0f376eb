import { tf, defineLoss, type LossPlugin, type TermsOutput, checkChoice, checkNumber } from '@fr/core';
import { backendReadsSynchronously } from '../internal/host-read.js';
import { topoLoss, topoLossOnDevice, type IsaVariant } from './topo-loss.js';

/**
 * Where ISA's persistence pairing runs:
 * - `host` — Kruskal in float64 on values read with `dataSync()` (the clean batch and the
 *   embeddings): exactly the official pairs, ties included. Needs a backend that reads
 *   synchronously (`backendCapabilities().readsSync`): hooks are synchronous.
 * - `device` — Prim's algorithm in tensor ops, nothing read back: runs on any backend; the same
 *   loss, and the same gradient except at exactly tied MST edges (see {@link topoLossOnDevice}).
 * - `auto` (default) — `host` where the current backend reads synchronously, `device` elsewhere.
 */
export type IsaPairing = 'auto' | 'host' | 'device';

/** Options of {@link topologyAlignment}. */
export interface TopologyAlignmentOptions {
  /** α, the weight of the term (default 0.1, TopoFR's `train.py`). */
  readonly weight?: number;
  /** `official` (default: sorted MST lengths, match_edges None) or `symmetric` (TopoAE form, unused by TopoFR). */
  readonly variant?: IsaVariant;
  /** Default `auto`. */
  readonly pairing?: IsaPairing;
  /** Plugin name (default `isa`): the term is logged as `<name>/topo`. */
  readonly name?: string;
}

/**
 * TopoFR's Invariant Structure Alignment (PTSA-2) as a loss plugin: the term α·L_topo between the
 * 0-dim persistence signature of the **clean** input batch (`view.cleanInput`, constant) and that
 * of the embeddings of the perturbed batch (`view.embedding`, differentiable). With
 * {@link randomStructurePerturbation} before it, the clean batch is the un-perturbed one, as in the
 * official loop.
 *
 * Official form: L = Σ_k (DX[PX_k] − DZ[PZ_k])² / B with DX = ‖X_i − X_j‖ / sqrt(2²·C·H·W), DZ the
 * raw (unnormalised) embedding distances and PX, PZ each space's MST edges in Kruskal order, i.e.
 * the squared distance of the sorted MST-length vectors. The scale mismatch (DX ≲ 1, DZ ~ √d) is
 * the official behaviour.
 *
 * Logged: the term `<name>/topo` (= α·L), metrics `<name>/loss` (L) and, with host pairing,
 * `<name>/matchedPairs` (edges common to both MSTs).
 * @example
 * ```ts
 * const isa = topologyAlignment();                         // α 0.1, official, pairing auto
 * const onGpu = topologyAlignment({ pairing: 'device' });  // no synchronous read-back
 * ```
 */
export function topologyAlignment(options: TopologyAlignmentOptions = {}): LossPlugin {
  const owner = 'topologyAlignment';
  const weight = checkNumber(owner, 'weight', options.weight ?? 0.1, 'nonNegative');
  const variant = checkChoice<IsaVariant>(owner, 'variant', options.variant ?? 'official', ['official', 'symmetric']);
  const pairing = checkChoice<IsaPairing>(owner, 'pairing', options.pairing ?? 'auto', ['auto', 'host', 'device']);
  return defineLoss({
    name: options.name ?? 'isa',
    requires: ['embedding', 'input:clean'],
    terms: (view): TermsOutput => {
      const onHost = pairing === 'host' || (pairing === 'auto' && backendReadsSynchronously());
      if (onHost) {
        const result = topoLoss(view.cleanInput, view.embedding, { variant });
        return { terms: { topo: tf.mul(result.loss, weight) as tf.Scalar }, metrics: { loss: result.loss, matchedPairs: result.matchedPairs } };
      }
      const result = topoLossOnDevice(view.cleanInput, view.embedding, { variant });
      return { terms: { topo: tf.mul(result.loss, weight) as tf.Scalar }, metrics: { loss: result.loss } };
    },
  });
}
