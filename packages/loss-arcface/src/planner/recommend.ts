import { planFcMemory, type FcMemoryInput, type FcMemoryPlan } from './fc-memory.js';

/** The outcome of {@link recommendSampleRate}. */
export interface SampleRateAdvice {
  readonly budgetBytes: number;
  /** The largest rate (two significant digits, rounded down) that fits, 1 if the full FC fits; null if none does. */
  readonly sampleRate: number | null;
  /** The plan at `sampleRate` (at rate 1 when nothing fits). */
  readonly plan: FcMemoryPlan;
  /** The fewest model-parallel devices for which some sample rate fits (same per-device batch), or null beyond 4096. */
  readonly minDevices: number | null;
  readonly reason: string;
}

const floorSignificant = (x: number, digits: number): number => {
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(x)));
  return Math.floor(x * scale * (1 + 1e-12)) / scale;
};

function largestRate(input: FcMemoryInput, budget: number): number | null {
  const full = planFcMemory({ ...input, sampleRate: 1 });
  if (full.bytes.total <= budget) return 1;
  const { weight, optimizerSlots, gradient } = full.bytes;
  const steady = weight + optimizerSlots + gradient;
  if (full.bytes.updatePeak > budget) return null;
  const b = full.dtype === 'float32' ? 4 : 2;
  const perCentre = (full.copies.activeCentres * full.embeddingSize + full.copies.activations * full.globalBatch) * b;
  const maxCentres = Math.floor((budget - steady) / perCentre);
  const positives = Math.min(full.globalBatch, full.classesPerDevice);
  if (maxCentres < Math.max(positives, 1)) return null;
  const rate = floorSignificant(maxCentres / full.classesPerDevice, 2);
  return rate > 0 && planFcMemory({ ...input, sampleRate: rate }).bytes.total <= budget ? rate : null;
}

/**
 * The largest Partial FC sample rate whose predicted peak fits `budgetBytes` per device, or 1 if
 * the full FC fits. When none fits — the weight, its optimiser slots, gradient and update do not
 * depend on the rate — it says so and how many model-parallel devices would be needed.
 * @example
 * ```ts
 * const advice = recommendSampleRate({ numClasses: 500_000, embeddingSize: 512, batchSize: 128, budgetBytes: parseBytes('8GiB') });
 * advice.sampleRate; // e.g. 0.41
 * ```
 */
export function recommendSampleRate(input: Omit<FcMemoryInput, 'sampleRate'> & { readonly budgetBytes: number }): SampleRateAdvice {
  const budget = input.budgetBytes;
  if (!(Number.isFinite(budget) && budget > 0)) throw new Error(`recommendSampleRate: budgetBytes must be > 0, got ${String(budget)}`);
  const base: FcMemoryInput = { ...input };
  const rate = largestRate(base, budget);
  let minDevices: number | null = null;
  for (let n = input.devices ?? 1; n <= 4096; n++) {
    if (largestRate({ ...base, devices: n }, budget) !== null) {
      minDevices = n;
      break;
    }
  }
  const full = planFcMemory({ ...base, sampleRate: 1 });
  if (rate === 1) return { budgetBytes: budget, sampleRate: 1, plan: full, minDevices, reason: 'the full FC fits' };
  if (rate !== null) {
    return { budgetBytes: budget, sampleRate: rate, plan: planFcMemory({ ...base, sampleRate: rate }), minDevices, reason: `the largest rate whose logits and active centres fit beside the weight, its optimiser slots and gradient` };
  }
  const more = minDevices === null ? 'no device count up to 4096 fits' : `${minDevices} model-parallel devices would fit`;
  const steady = full.bytes.weight + full.bytes.optimizerSlots + full.bytes.gradient;
  const why = full.bytes.updatePeak > budget || steady >= budget
    ? 'the weight, its optimiser slots, gradient and update temporaries alone exceed the budget (sampling does not shrink them)'
    : 'even the batch\'s own classes (the positives, always sampled) do not fit';
  return { budgetBytes: budget, sampleRate: null, plan: full, minDevices, reason: `no sample rate fits: ${why}; ${more}, or use sgd-nomomentum / float16` };
}
