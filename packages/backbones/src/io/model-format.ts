import { tf, type Backbone, type Preprocessing } from '@fr/core';
import type { BackboneConfig } from '../config.js';
import { backboneFromConfig } from '../factory.js';
import { getArchitecture } from '../registry.js';
import { VERSION } from '../version.js';

/** `format` of an @fr backbone in tfjs artifacts / model.json. */
export const MODEL_FORMAT = 'fr-backbone';
/** Version of the layout below; a newer file is refused rather than misread. */
export const FORMAT_VERSION = 1;

/** `userDefinedMetadata.fr` of a saved backbone: the contract a consumer must honour. */
export interface BackboneMetadata {
  readonly formatVersion: number;
  readonly library: '@fr/backbones';
  /** Version of @fr/backbones that wrote the file. */
  readonly version: string;
  readonly architecture: string;
  readonly embeddingSize: number;
  readonly auxOutputs: readonly string[];
  readonly preprocessing: Preprocessing & {
    /** Human-readable form of `normalization`, e.g. `x/127.5 - 1`. */
    readonly normalizationFormula: string;
  };
  /** The input tensor: NHWC float32 `[batch, S, S, 3]`. */
  readonly input: { readonly layout: 'NHWC'; readonly shape: readonly [null, number, number, 3]; readonly dtype: 'float32' };
  /** Parameters, buffers excluded. */
  readonly parameterCount: number;
}

const FORMULAS: Record<Preprocessing['normalization'], string> = {
  minus1to1: 'x/127.5 - 1',
  mxnet: '(x - 127.5)/128',
};

/** The metadata written for `backbone`. */
export function backboneMetadata(backbone: Backbone): BackboneMetadata {
  const p = backbone.preprocessing;
  return {
    formatVersion: FORMAT_VERSION,
    library: '@fr/backbones',
    version: VERSION,
    architecture: backbone.name,
    embeddingSize: backbone.embeddingSize,
    auxOutputs: [...backbone.auxOutputs],
    preprocessing: { ...p, normalizationFormula: FORMULAS[p.normalization] },
    input: { layout: 'NHWC', shape: [null, p.inputSize, p.inputSize, 3], dtype: 'float32' },
    parameterCount: backbone.module.parameterCount(),
  };
}

/**
 * tfjs `ModelArtifacts` for a backbone: `modelTopology` = its config, `userDefinedMetadata.fr` =
 * {@link BackboneMetadata}, weights = every parameter and buffer of the state dict (float32).
 * Any tfjs `IOHandler` can store them (`tf.io.browserFiles`, `http`, `indexeddb://`, …).
 */
export async function backboneToArtifacts(backbone: Backbone): Promise<tf.io.ModelArtifacts> {
  const tensors: tf.NamedTensorMap = {};
  for (const [name, v] of backbone.module.stateDict()) tensors[name] = v;
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return {
    format: MODEL_FORMAT,
    generatedBy: `@fr/backbones ${VERSION}`,
    convertedBy: null,
    modelTopology: { ...backbone.config },
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: { fr: backboneMetadata(backbone) },
  };
}

/** What the caller's pipeline produces; loading refuses a model that wants something else. */
export interface BackboneExpectations {
  readonly architecture?: string;
  readonly inputSize?: number;
  readonly colorOrder?: Preprocessing['colorOrder'];
  readonly normalization?: Preprocessing['normalization'];
  readonly embeddingSize?: number;
}

export interface LoadBackboneOptions {
  /** Checked against the file's contract; any difference throws, naming each field. */
  readonly expect?: BackboneExpectations;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof ArrayBuffer);

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  return size * (BYTES[spec.quantization?.dtype ?? spec.dtype] ?? NaN);
}

async function weightBuffers(artifacts: tf.io.ModelArtifacts, specs: tf.io.WeightsManifestEntry[]): Promise<tf.NamedTensorMap> {
  if (artifacts.weightData === undefined && artifacts.getWeightStream) {
    return tf.io.decodeWeightsStream(artifacts.getWeightStream(), specs);
  }
  if (artifacts.weightData === undefined) throw new Error('the model has no weight data');
  const have = new tf.io.CompositeArrayBuffer(artifacts.weightData).byteLength;
  const need = specs.reduce((n, s) => n + specBytes(s), 0);
  if (have !== need) {
    throw new Error(`the weight data has ${have} bytes but the manifest describes ${need} (truncated or mismatched weights file?)`);
  }
  return tf.io.decodeWeights(artifacts.weightData, specs);
}

function fail(problem: string): never {
  throw new Error(`Cannot load backbone: ${problem}`);
}

/** Reads and validates the header (format, metadata, config) without touching weights. */
export function readBackboneHeader(artifacts: tf.io.ModelArtifacts): { config: BackboneConfig; metadata: BackboneMetadata } {
  if (artifacts.format !== MODEL_FORMAT) {
    fail(`not an @fr backbone (format ${artifacts.format === undefined ? 'missing' : JSON.stringify(artifacts.format)}, expected "${MODEL_FORMAT}")`);
  }
  const fr = isRecord(artifacts.userDefinedMetadata) ? artifacts.userDefinedMetadata.fr : undefined;
  if (!isRecord(fr)) fail('userDefinedMetadata.fr (the preprocessing contract) is missing');
  const metadata = fr as unknown as BackboneMetadata;
  if (typeof metadata.formatVersion !== 'number' || metadata.formatVersion > FORMAT_VERSION) {
    fail(`format version ${String(metadata.formatVersion)} is not supported by @fr/backbones ${VERSION} (reads up to ${FORMAT_VERSION}; upgrade @fr/backbones)`);
  }
  const topology = artifacts.modelTopology;
  if (!isRecord(topology)) fail('modelTopology (the architecture config) is missing or not JSON');
  const architecture = topology.architecture;
  if (typeof architecture !== 'string') fail('modelTopology has no "architecture" name');
  let config: BackboneConfig;
  try {
    config = getArchitecture(architecture).resolveConfig(topology);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const p = metadata.preprocessing;
  if (!isRecord(p)) fail('userDefinedMetadata.fr.preprocessing is missing');
  const inconsistent: string[] = [];
  const same = (field: string, a: unknown, b: unknown) => {
    if (a !== b) inconsistent.push(`${field}: metadata ${JSON.stringify(a)} vs config ${JSON.stringify(b)}`);
  };
  same('architecture', metadata.architecture, config.architecture);
  same('embeddingSize', metadata.embeddingSize, config.embeddingSize);
  same('preprocessing.inputSize', p.inputSize, config.inputSize);
  same('preprocessing.colorOrder', p.colorOrder, config.colorOrder);
  same('preprocessing.normalization', p.normalization, config.normalization);
  same('preprocessing.embeddingNormalization', p.embeddingNormalization, 'l2');
  if (inconsistent.length > 0) fail(`the file contradicts itself (${inconsistent.join('; ')})`);
  return { config, metadata };
}

function checkExpectations(config: BackboneConfig, expect: BackboneExpectations | undefined): void {
  if (!expect) return;
  const problems: string[] = [];
  for (const [field, wanted] of Object.entries(expect)) {
    if (wanted === undefined) continue;
    if (!['architecture', 'inputSize', 'colorOrder', 'normalization', 'embeddingSize'].includes(field)) {
      problems.push(`unknown expectation "${field}"`);
    } else if (config[field] !== wanted) {
      problems.push(`${field} is ${JSON.stringify(config[field])}, expected ${JSON.stringify(wanted)}`);
    }
  }
  if (problems.length > 0) fail(`the model does not match what the caller expects: ${problems.join('; ')}`);
}

/**
 * Rebuilds a backbone from tfjs artifacts written by {@link backboneToArtifacts}: checks the
 * format, metadata and config, the caller's expectations, then every weight name, shape and
 * byte; returns the backbone in evaluation mode. Throws one error listing every problem.
 */
export async function backboneFromArtifacts(artifacts: tf.io.ModelArtifacts, options: LoadBackboneOptions = {}): Promise<Backbone> {
  const { config } = readBackboneHeader(artifacts);
  checkExpectations(config, options.expect);
  const specs = artifacts.weightSpecs;
  if (!specs || specs.length === 0) fail('the model has no weights manifest');
  const backbone = backboneFromConfig(config, { shapeOnly: true });
  let decoded: tf.NamedTensorMap | null = null;
  try {
    const own = backbone.module.stateDict();
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const spec of specs) {
      const target = own.get(spec.name);
      if (seen.has(spec.name)) problems.push(`"${spec.name}" appears twice`);
      seen.add(spec.name);
      if (!target) problems.push(`unexpected weight "${spec.name}"`);
      else if (!tf.util.arraysEqual(target.shape, spec.shape)) problems.push(`"${spec.name}" has shape [${spec.shape}] but ${config.architecture} needs [${target.shape}]`);
      if (spec.dtype !== 'float32') problems.push(`"${spec.name}" has dtype ${spec.dtype}, expected float32`);
    }
    for (const name of own.keys()) if (!seen.has(name)) problems.push(`missing weight "${name}"`);
    if (problems.length > 0) {
      const shown = problems.slice(0, 20).join('; ') + (problems.length > 20 ? `; … ${problems.length - 20} more` : '');
      fail(`weights do not match the ${config.architecture} architecture: ${shown}`);
    }
    try {
      decoded = await weightBuffers(artifacts, specs);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
    backbone.module.loadStateDict(decoded);
  } catch (error) {
    backbone.module.dispose();
    throw error;
  } finally {
    if (decoded) tf.dispose(decoded);
  }
  backbone.module.eval();
  return backbone;
}
