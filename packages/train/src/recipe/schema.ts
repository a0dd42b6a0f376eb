/**
 * The recipe: everything `fr-train` needs, as one validated JSON/YAML document. The training
 * fields (batch, steps, optimizer, schedule, clipping, micro-batching…) are @fr/core's trainer
 * config schema itself, so a recipe accepts exactly what `createTrainer` does, with its defaults.
 */
import { z } from 'zod';
import { stepsOrEpochs, trainerConfigSchema } from '@fr/core';

const trainer = trainerConfigSchema.shape;

/** Options passed to a plugin factory as they are (the factory validates them). */
const pluginOptions = z.record(z.string(), z.unknown()).default({});

/**
 * A plugin named by package and export: `{ "package": "@fr/loss-arcface", "export": "arcface",
 * "options": { "s": 64 } }`. The export is a factory `(options) => plugin`.
 */
export const pluginRefSchema = z.object({
  package: z.string().min(1),
  export: z.string().min(1),
  options: pluginOptions,
}).strict();

/** A path (relative to the recipe's folder; `${VAR}` and `${VAR:-default}` expand from the environment). */
const path = z.string().min(1);

/** Identities: a file (one per line, `#` comments) or an inline list. */
const identities = z.union([path, z.array(z.string().min(1))]);

const imageFolderSource = z.object({
  /** `root/<identity>/<image>`. */
  imageFolder: path,
  include: identities.optional(),
  /** e.g. the held-out identities of a verification benchmark. */
  exclude: identities.optional(),
}).strict();

const recSource = z.object({
  /** An insightface `train.rec` (its `.idx` beside it), or the path without extension. */
  rec: path,
  /** At most this many images per identity. */
  limitPerClass: z.number().int().positive().optional(),
}).strict();

const syntheticFallback = z.object({
  synthetic: z.object({
    numClasses: z.number().int().min(2).default(60),
    imagesPerClass: z.number().int().min(2).default(24),
    /** Held-out identities for the synthetic verification pairs. */
    heldOutClasses: z.number().int().min(2).default(20),
    pairs: z.number().int().min(10).default(600),
    seed: z.number().int().default(7),
  }).strict().default({ numClasses: 60, imagesPerClass: 24, heldOutClasses: 20, pairs: 600, seed: 7 }),
}).strict();

export const dataSchema = z.object({
  train: z.union([imageFolderSource, recSource]),
  /** Random horizontal flip (insightface's only augmentation): true = probability 0.5. */
  randomFlip: z.union([z.boolean(), z.number().min(0).max(1)]).default(true),
  /** `shuffle`, or `{ "mPerClass": m }` batches (m images of batchSize/m identities; provides `batch:m-per-class`). */
  sampler: z.union([z.literal('shuffle'), z.object({ mPerClass: z.number().int().min(2) }).strict()]).default('shuffle'),
  /** Decode worker threads (default: CPUs − 1). */
  workers: z.number().int().min(0).optional(),
  decoder: z.enum(['js', 'sharp']).default('js'),
  /** Unreadable images: leave them out with a message (`skip`) or stop naming the file. */
  badData: z.enum(['skip', 'stop']).default('skip'),
  /**
   * Align the faces to the insightface (ArcFace) template. `"auto"`: when the optional face
   * detector (`@vladmandic/face-api`) is installed, `data.train.imageFolder` and the images of the
   * pairs evaluation sets are aligned once into `<output.dir>/aligned/` and the run trains and
   * evaluates on those; without it the run says so and uses the images as they are. `"always"`:
   * the same, a missing detector is an error. `{ "landmarks": file }`: align on the fly from a
   * landmarks cache (5 points per image, as `fr-data align` writes it, keyed by paths under
   * `data.train.imageFolder`); images it has no face for are bad data (`no-face`). ImageFolder only.
   */
  align: z.union([z.enum(['auto', 'always']), z.object({ landmarks: path }).strict()]).nullable().default(null),
  /**
   * Inject closed-set label noise (BoundaryFace's setting): `rate` of the training labels, drawn
   * with `seed` (default: the recipe's seed), move to another training identity; the clean labels
   * are kept aside for scoring a noise detector. Images are not copied.
   */
  labelNoise: z.object({ rate: z.number().min(0).lt(1), seed: z.number().int().optional() }).strict().nullable().default(null),
  /** The identity count you expect: checked when the data opens, and used by `--dry-run` when the data is absent. */
  numClasses: z.number().int().min(2).optional(),
  /** The training data is absent: stop (`error`) or say so and use the built-in synthetic identity set. */
  whenMissing: z.union([z.literal('error'), syntheticFallback]).default('error'),
}).strict();

/** A verification set: LFW-style `pairs` + `images` root, or an insightface `.bin`. */
export const evalSetSchema = z.union([
  z.object({ name: z.string().min(1).optional(), pairs: path, images: path }).strict(),
  z.object({ name: z.string().min(1).optional(), bin: path }).strict(),
]);

export const evaluationSchema = z.object({
  /** Evaluate every N steps during training (null: only before and after). */
  every: z.number().int().positive().nullable().default(null),
  /** Evaluate the untrained network first (the "before" of the report). */
  atStart: z.boolean().default(true),
  batchSize: z.number().int().positive().default(100),
  /** insightface protocol: orig + flip embeddings summed. */
  flip: z.boolean().default(true),
  sets: z.array(evalSetSchema).default([]),
}).strict();

export const recipeSchema = z.object({
  /** Run name (default: the recipe file's name); names the output folder. */
  name: z.string().regex(/^[\w.-]+$/, 'letters, digits, ".", "-" and "_" only').optional(),
  description: z.string().optional(),
  /** Where the hyper-parameters come from, caveats: shown by --dry-run and in the report. */
  notes: z.array(z.string()).default([]),
  /** `auto` tries tensorflow → webgpu (hardware) → wasm → cpu; `--backend` and FR_BACKEND override it. */
  backend: z.enum(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']).default('auto'),
  backbone: z.object({
    /** A `@fr/backbones` registry name: `iresnet50`, `mobilefacenet`, `vit_s`, `transface_s`… */
    architecture: z.string().min(1),
    options: pluginOptions,
  }).strict(),
  /** Center bank; `numClasses` and `embeddingSize` are filled in from the data and the backbone. */
  centers: pluginRefSchema.optional(),
  margin: pluginRefSchema.optional(),
  losses: z.array(pluginRefSchema).default([]),
  augments: z.array(pluginRefSchema).default([]),
  data: dataSchema,

  // The trainer's own fields (see @fr/core's trainer config).
  batchSize: trainer.batchSize,
  microBatchSize: trainer.microBatchSize,
  steps: trainer.steps,
  epochs: trainer.epochs,
  seed: trainer.seed,
  optimizer: trainer.optimizer,
  schedule: trainer.schedule,
  clipGradNorm: trainer.clipGradNorm,
  nonFinite: trainer.nonFinite,
  maxConsecutiveSkips: trainer.maxConsecutiveSkips,
  crossEntropy: trainer.crossEntropy,

  checkpoint: z.object({
    /** Save every N steps (and at the end, and on Ctrl-C) to `<output.dir>/checkpoints`. */
    every: z.number().int().positive().default(2000),
    keep: z.number().int().positive().default(3),
  }).strict().default({ every: 2000, keep: 3 }),
  evaluation: evaluationSchema.default({ every: null, atStart: true, batchSize: 100, flip: true, sets: [] }),
  output: z.object({
    /** Relative to the current folder (default `runs/<name>`). */
    dir: z.string().min(1).optional(),
    tensorboard: z.boolean().default(true),
    report: z.boolean().default(true),
    saveModel: z.boolean().default(true),
  }).strict().default({ tensorboard: true, report: true, saveModel: true }),
}).strict().refine(...stepsOrEpochs);

/** A recipe as written (defaults optional). */
export type RecipeInput = z.input<typeof recipeSchema>;
/** A validated recipe with every default filled in. */
export type Recipe = z.output<typeof recipeSchema>;
export type PluginRef = z.output<typeof pluginRefSchema>;
export type EvalSetSpec = z.output<typeof evalSetSchema>;
export type DataSpec = z.output<typeof dataSchema>;
