import type { Backbone } from './backbone.js';
import { describePlugin } from './describe.js';
import type { AugmentPlugin, Capability, CenterBankPlugin, LossPlugin, MarginPlugin, Plugin } from './plugin.js';

/** The parts of a training step. Only the backbone is mandatory. */
export interface Composition {
  readonly backbone: Backbone;
  readonly centers?: CenterBankPlugin;
  readonly margin?: MarginPlugin;
  readonly losses?: readonly LossPlugin[];
  readonly augments?: readonly AugmentPlugin[];
  /** What the dataset promises: its class count and `batch:*` capabilities. */
  readonly dataset?: { readonly numClasses?: number; readonly provides?: readonly Capability[] };
}

/** Thrown before training when the parts cannot work together; lists every problem found. */
export class CompositionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Cannot train this composition:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

const ALWAYS: readonly Capability[] = ['embedding', 'labels', 'input', 'input:clean', 'probe'];


/** Who could provide a missing capability, for the error message. */
function providerHint(capability: Capability, c: Composition): string {
  if (capability.startsWith('aux:')) {
    const offered = c.backbone.auxOutputs.length ? c.backbone.auxOutputs.join(', ') : 'none';
    return `backbone "${c.backbone.name}" does not output "${capability.slice(4)}" (its auxiliary outputs: ${offered})`;
  }
  if (capability === 'cosine') return 'it needs a center bank (e.g. fullFC)';
  if (['logits', 'targets', 'perSampleLoss'].includes(capability)) return 'it needs a center bank and a margin head';
  if (capability.startsWith('batch:')) return `the dataset does not promise it (dataset provides: ${c.dataset?.provides?.join(', ') || 'nothing'})`;
  return 'no part of the composition provides it';
}

/** The capabilities a composition offers its plugins. */
export function availableCapabilities(c: Composition): Set<Capability> {
  const out = new Set<Capability>(ALWAYS);
  for (const aux of c.backbone.auxOutputs) out.add(`aux:${aux}`);
  if (c.centers) out.add('cosine');
  if (c.centers && c.margin) for (const cap of ['logits', 'targets', 'perSampleLoss']) out.add(cap);
  for (const cap of c.dataset?.provides ?? []) out.add(cap);
  for (const p of plugins(c)) for (const cap of p.provides ?? []) out.add(cap);
  return out;
}

/** Every plugin of the composition, in step order. */
export function plugins(c: Composition): Plugin[] {
  return [...(c.augments ?? []), ...(c.centers ? [c.centers] : []), ...(c.margin ? [c.margin] : []), ...(c.losses ?? [])];
}

/**
 * Checks a composition before any training: plugin kinds and unique names, center bank ↔ margin
 * head pairing, sizes, and that every plugin's `requires` is provided and no `conflicts` is.
 * Throws a {@link CompositionError} naming the plugins involved.
 */
export function validateComposition(c: Composition): void {
  const problems: string[] = [];
  const expectKind = (p: Plugin | undefined, kind: Plugin['kind'], slot: string): void => {
    if (p && p.kind !== kind) problems.push(`${describePlugin(p)} was passed as ${slot}, which takes a ${kind} plugin`);
  };
  expectKind(c.centers, 'centers', '`centers`');
  expectKind(c.margin, 'margin', '`margin`');
  for (const p of c.losses ?? []) expectKind(p, 'loss', 'one of `losses`');
  for (const p of c.augments ?? []) expectKind(p, 'augment', 'one of `augments`');

  const all = plugins(c);
  const seen = new Map<string, Plugin>();
  for (const p of all) {
    const twin = seen.get(p.name);
    if (twin) problems.push(`${describePlugin(p)} and ${describePlugin(twin)} share the name "${p.name}": names must be unique (they prefix logs and checkpoint entries)`);
    seen.set(p.name, p);
  }
  if (c.margin && !c.centers) problems.push(`${describePlugin(c.margin)} has no center bank to give it cosines: add one (e.g. fullFC)`);
  if (c.centers && !c.margin) problems.push(`${describePlugin(c.centers)} has no margin head to turn its cosines into logits: add one (e.g. arcface)`);
  if (c.centers && c.centers.embeddingSize !== c.backbone.embeddingSize) {
    problems.push(`${describePlugin(c.centers)} expects ${c.centers.embeddingSize}-d embeddings but backbone "${c.backbone.name}" outputs ${c.backbone.embeddingSize}-d`);
  }
  const datasetClasses = c.dataset?.numClasses;
  if (c.centers && datasetClasses !== undefined && c.centers.numClasses !== datasetClasses) {
    problems.push(`${describePlugin(c.centers)} has ${c.centers.numClasses} classes but the dataset has ${datasetClasses}`);
  }
  const hasClassification = Boolean(c.centers && c.margin);
  const hasTerms = all.some((p) => p.kind === 'loss' && typeof p.terms === 'function');
  if (!hasClassification && !hasTerms) {
    problems.push('nothing to optimise: add a center bank + margin head, or a loss plugin with terms()');
  }
  const sampleWeighters = (c.losses ?? []).filter((p) => typeof p.sampleWeights === 'function');
  if (!hasClassification) {
    for (const p of sampleWeighters) problems.push(`${describePlugin(p)} weights the classification loss, but there is none (no center bank + margin head)`);
  }

  const available = availableCapabilities(c);
  for (const p of all) {
    for (const need of p.requires ?? []) {
      if (!available.has(need)) problems.push(`${describePlugin(p)} requires "${need}": ${providerHint(need, c)}`);
    }
    for (const bad of p.conflicts ?? []) {
      const culprits = all.filter((q) => q !== p && (q.provides ?? []).includes(bad));
      for (const q of culprits) problems.push(`${describePlugin(p)} cannot be combined with ${describePlugin(q)} (which provides "${bad}")`);
    }
  }
  if (problems.length > 0) throw new CompositionError(problems);
}
