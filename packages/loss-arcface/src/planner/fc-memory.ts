/** Element type of the FC tensors being planned. */
export type FcDtype = 'float32' | 'float16';

/** The optimiser of the FC weight: `sgd` (momentum: 1 slot), `sgd-nomomentum` (0), `adamw` (2). */
export type FcOptimizer = 'sgd' | 'sgd-nomomentum' | 'adamw';

/**
 * How many tensors of each size are alive at once, beyond the weight, its slots and its gradient.
 * Measured with `tf.profile` on @fr 0.1 / tfjs 4.22 (cpu backend): one ArcFace step —
 * `cosineToCenters` → margin head → `softmaxCrossEntropy` → gradients — and one optimiser update.
 */
export interface FcMemoryCopies {
  /** `(globalBatch, centres)` float tensors at the backward peak (cosines, margin logits, softmax, their gradients…). */
  readonly activations: number;
  /** `(centres, d)` tensors: the gathered/normalised active centres and their gradients. */
  readonly activeCentres: number;
  /** `(C, d)` temporaries of one optimiser update (with weight decay). */
  readonly update: number;
}

/** The measured copies of @fr's tfjs step (see {@link FcMemoryCopies}); update per optimiser. */
export const FR_TFJS_COPIES: { readonly activations: number; readonly activeCentres: number; readonly update: Readonly<Record<FcOptimizer, number>> } = {
  activations: 39,
  activeCentres: 10,
  update: { sgd: 6, 'sgd-nomomentum': 4, adamw: 14 },
};

const SLOTS: Readonly<Record<FcOptimizer, number>> = { sgd: 1, 'sgd-nomomentum': 0, adamw: 2 };
const BYTES: Readonly<Record<FcDtype, number>> = { float32: 4, float16: 2 };

/** Input of {@link planFcMemory}, e.g. `{ numClasses: 2_000_000, embeddingSize: 512, batchSize: 128, sampleRate: 0.1 }`. */
export interface FcMemoryInput {
  readonly numClasses: number;
  readonly embeddingSize: number;
  /** Default `float32` (tfjs trains in float32; `float16` plans a mixed-precision port). */
  readonly dtype?: FcDtype;
  /** Default `sgd`. */
  readonly optimizer?: FcOptimizer;
  /** Per-device batch. */
  readonly batchSize: number;
  /** Partial FC sample rate in (0, 1] (default 1: full FC). */
  readonly sampleRate?: number;
  /** Model-parallel shards: each holds ⌈C/devices⌉ classes and sees the all-gathered batch (default 1). */
  readonly devices?: number;
  /** Overrides of the measured {@link FR_TFJS_COPIES}, e.g. to plan another runtime. */
  readonly copies?: Partial<FcMemoryCopies>;
}

/**
 * Predicted bytes per device. The two phases of a step do not overlap; `total` is the larger.
 * `backwardPeak` sums the activation and active-centre copies, which peak a little apart: it is an
 * upper bound, 1.05–1.10× the `tf.profile` peak of a real step on tfjs 4.22 cpu (see the tests).
 */
export interface FcMemoryBytes {
  readonly weight: number;
  readonly optimizerSlots: number;
  /** Dense `(C, d)`: the gathered rows' gradient is scattered into a full-size tensor. */
  readonly gradient: number;
  readonly activeCentres: number;
  /** Logits/softmax activations and their gradients. */
  readonly logits: number;
  /** Optimiser update temporaries. */
  readonly update: number;
  /** weight + slots + gradient + active centres + logits. */
  readonly backwardPeak: number;
  /** weight + slots + gradient + update temporaries. */
  readonly updatePeak: number;
  readonly total: number;
}

/** The result of {@link planFcMemory}: the resolved input, the sizes it implies, and the bytes. */
export interface FcMemoryPlan {
  readonly numClasses: number;
  readonly embeddingSize: number;
  readonly dtype: FcDtype;
  readonly optimizer: FcOptimizer;
  readonly batchSize: number;
  readonly sampleRate: number;
  readonly devices: number;
  readonly classesPerDevice: number;
  /** Rows of the all-gathered batch each device scores. */
  readonly globalBatch: number;
  /** ⌊sampleRate·classesPerDevice⌋, or all classes at rate 1. */
  readonly numSample: number;
  /** Centres scored per step in the worst case: numSample, or the batch's distinct classes if more. */
  readonly activeCentres: number;
  readonly copies: FcMemoryCopies;
  readonly bytes: FcMemoryBytes;
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new Error(`planFcMemory: ${name} must be an integer ≥ 1, got ${String(value)}`);
  return value;
}

/**
 * Predicts the memory of a class-centre layer per device: weight, optimiser slots, gradient,
 * active centres, logits/softmax activations and optimiser temporaries, in the two phases of a
 * step. As in Partial FC v2 and the @fr trainer, the full weight is in the optimiser and gets a
 * dense gradient, so sampling shrinks the activations and active centres, not the weight side.
 * @example
 * ```ts
 * const plan = planFcMemory({ numClasses: 2_000_000, embeddingSize: 512, batchSize: 128, sampleRate: 0.1 });
 * plan.bytes.weight; // 4_096_000_000
 * ```
 */
export function planFcMemory(input: FcMemoryInput): FcMemoryPlan {
  const numClasses = positiveInteger('numClasses', input.numClasses);
  const embeddingSize = positiveInteger('embeddingSize', input.embeddingSize);
  const batchSize = positiveInteger('batchSize', input.batchSize);
  const devices = positiveInteger('devices', input.devices ?? 1);
  const dtype = input.dtype ?? 'float32';
  const optimizer = input.optimizer ?? 'sgd';
  if (!(dtype in BYTES)) throw new Error(`planFcMemory: dtype must be float32 or float16, got ${String(dtype)}`);
  if (!(optimizer in SLOTS)) throw new Error(`planFcMemory: optimizer must be sgd, sgd-nomomentum or adamw, got ${String(optimizer)}`);
  const sampleRate = input.sampleRate ?? 1;
  if (!(Number.isFinite(sampleRate) && sampleRate > 0 && sampleRate <= 1)) throw new Error(`planFcMemory: sampleRate must be in (0, 1], got ${String(sampleRate)}`);
  const copies: FcMemoryCopies = {
    activations: input.copies?.activations ?? FR_TFJS_COPIES.activations,
    activeCentres: input.copies?.activeCentres ?? FR_TFJS_COPIES.activeCentres,
    update: input.copies?.update ?? FR_TFJS_COPIES.update[optimizer],
  };

  const classesPerDevice = Math.ceil(numClasses / devices);
  const globalBatch = batchSize * devices;
  const numSample = sampleRate < 1 ? Math.floor(sampleRate * classesPerDevice) : classesPerDevice;
  const active = Math.min(classesPerDevice, Math.max(numSample, Math.min(globalBatch, classesPerDevice)));
  const b = BYTES[dtype];
  const weight = classesPerDevice * embeddingSize * b;
  const optimizerSlots = SLOTS[optimizer] * weight;
  const gradient = weight;
  const activeCentres = copies.activeCentres * active * embeddingSize * b;
  const logits = copies.activations * globalBatch * active * b;
  const update = copies.update * weight;
  const steady = weight + optimizerSlots + gradient;
  const backwardPeak = steady + activeCentres + logits;
  const updatePeak = steady + update;
  return {
    numClasses, embeddingSize, dtype, optimizer, batchSize, sampleRate, devices,
    classesPerDevice, globalBatch, numSample, activeCentres: active, copies,
    bytes: { weight, optimizerSlots, gradient, activeCentres, logits, update, backwardPeak, updatePeak, total: Math.max(backwardPeak, updatePeak) },
  };
}
