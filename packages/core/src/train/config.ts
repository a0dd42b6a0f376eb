/**
 * The trainer's configuration: a validated schema (zod), so a typo or an impossible value fails
 * before any work with a message naming the field, instead of hours later.
 */
import { z } from 'zod';

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().min(0);
const count = z.number().int().min(0);

export const sgdSchema = z.object({
  type: z.literal('sgd'),
  lr: positive,
  /** insightface: 0.9. */
  momentum: z.number().min(0).max(1).default(0.9),
  /** insightface: 5e-4 (Glint360K/MobileFaceNet configs 1e-4). Applied to every parameter. */
  weightDecay: nonNegative.default(5e-4),
  /** BoundaryFace's WebFace recipe uses Nesterov; insightface does not. */
  nesterov: z.boolean().default(false),
}).strict();

export const adamwSchema = z.object({
  type: z.literal('adamw'),
  lr: positive,
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  eps: positive.default(1e-8),
  /** Decoupled decay (PyTorch AdamW default 0.01; TransFace ViT configs 0.1). */
  weightDecay: nonNegative.default(0.01),
}).strict();

export const optimizerSchema = z.discriminatedUnion('type', [sgdSchema, adamwSchema]);

export const scheduleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('constant'), warmupSteps: count.default(0) }).strict(),
  z.object({
    type: z.literal('polynomial'),
    warmupSteps: count.default(0),
    /** 1: current insightface (linear decay); 2: TransFace / TopoFR (`PolyScheduler`). */
    power: positive.default(1),
    /** Defaults to the run's total steps. */
    totalSteps: z.number().int().positive().optional(),
    /**
     * `insightface` (PolynomialLRWarmup): step 0 uses the full base lr even with warmup.
     * `legacy` (PolyScheduler, TransFace/TopoFR): lr = base·step/warmup during warmup (0 at step 0).
     */
    flavour: z.enum(['insightface', 'legacy']).default('insightface'),
  }).strict(),
  z.object({
    type: z.literal('step'),
    /** Steps at which lr is multiplied by `gamma` (MXNet ArcFace: 100k, 160k, 220k). */
    milestones: z.array(z.number().int().positive()).refine((m) => m.every((v, i) => i === 0 || v > (m[i - 1] as number)), 'milestones must be strictly increasing'),
    gamma: positive.default(0.1),
    warmupSteps: count.default(0),
  }).strict(),
]);

/**
 * The run length rule, as arguments of zod's `refine`: exactly one of `steps` or `epochs` (shared
 * with schemas that embed the trainer's fields, e.g. fr-train's recipe).
 */
export const stepsOrEpochs: [(c: { readonly steps?: number; readonly epochs?: number }) => boolean, { message: string; path: string[] }] = [
  (c) => (c.steps === undefined) !== (c.epochs === undefined),
  { message: 'give exactly one of `steps` or `epochs`', path: ['steps'] },
];

export const trainerConfigSchema = z.object({
  batchSize: z.number().int().positive(),
  /**
   * Split each batch into micro-batches of this size and accumulate their gradients before one
   * update (memory: tfjs keeps every intermediate of the step alive, and wasm's heap is 4 GB).
   * Batch-norm statistics and batch-level plugins (Partial FC sampling, TopoFR's ISA and GUM) then
   * see micro-batches, as per-GPU batch norm does in multi-GPU training.
   */
  microBatchSize: z.number().int().positive().optional(),
  /** Total optimisation steps; or give `epochs`. */
  steps: z.number().int().positive().optional(),
  epochs: z.number().int().positive().optional(),
  /** Seeds data order, initialisation-independent randomness, augmentations, sampling. insightface: 2048. */
  seed: z.number().int().default(2048),
  optimizer: optimizerSchema,
  schedule: scheduleSchema.default({ type: 'constant', warmupSteps: 0 }),
  /** insightface clips the backbone's gradient norm at 5 every step; TopoFR clips everything. `null` disables. */
  clipGradNorm: z.object({ maxNorm: positive, scope: z.enum(['backbone', 'all']).default('backbone') }).strict().nullable()
    .default({ maxNorm: 5, scope: 'backbone' }),
  /** What a NaN/Inf loss or gradient does: stop with an error naming the step and plugin, or skip the update. */
  nonFinite: z.enum(['stop', 'skip']).default('stop'),
  /** With `skip`: stop anyway after this many consecutive skipped steps. */
  maxConsecutiveSkips: z.number().int().positive().default(10),
  crossEntropy: z.object({
    /** insightface's DistCrossEntropy clamps p_y at 1e-30 in the reported value (gradient unchanged). */
    minProbability: z.number().positive().lt(1).optional(),
  }).strict().default({}),
  checkpoint: z.object({
    /** Folder for `step-<n>.frckpt` files (Node). */
    dir: z.string().min(1),
    /** Save every N steps (and at the end, and on SIGINT). */
    every: z.number().int().positive(),
    /** How many recent checkpoints to keep. */
    keep: z.number().int().positive().default(3),
  }).strict().optional(),
  log: z.object({
    /** Append one JSON line per event to this file (Node). */
    jsonl: z.string().min(1).optional(),
    /** Progress bar on stderr: `auto` shows it on a TTY. */
    progress: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  }).strict().default({ progress: 'auto' }),
}).strict().refine(...stepsOrEpochs);

export type TrainerConfigInput = z.input<typeof trainerConfigSchema>;
export type TrainerConfig = z.output<typeof trainerConfigSchema>;
export type OptimizerConfig = z.output<typeof optimizerSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;

/** Thrown for an invalid trainer configuration; one line per problem, each naming the field. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid trainer config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates and fills defaults, or throws a {@link ConfigError}. */
export function parseTrainerConfig(input: unknown): TrainerConfig {
  const result = trainerConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const got = issue.path.reduce<unknown>((v, key) => (v != null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined), input);
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
    return `${where}: ${issue.message}${shown}`;
  }));
}
