import type { Backbone, tf } from '@fr/core';
import { inferenceGraph } from '../graph/build-graph.js';
import type { GraphOp, InferenceGraph, Value } from '../graph/inference-graph.js';
import { GraphLowering } from '../graph/lowering.js';
import { batchNormAffine, type HostWeight } from '../graph/weights.js';
import { contractMetadata } from '../preprocessing-metadata.js';
import { VERSION } from '../version.js';

/** The GraphModel's input and output node names. */
export const GRAPH_MODEL_INPUT = 'input';
export const GRAPH_MODEL_OUTPUT = 'embedding';

export interface GraphModelExportOptions {
  /** Where the model came from, for the `fr.recipe` metadata. */
  readonly source?: string;
  /** Extra training facts for the `fr.recipe` metadata. */
  readonly recipe?: Readonly<Record<string, unknown>>;
}

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

const FLOAT = { type: 'DT_FLOAT' };
const INT = { type: 'DT_INT32' };
/** GraphDef JSON stores strings as base64 bytes. */
const str = (s: string) => ({ s: btoa(s) });
const ints = (values: readonly number[]) => ({ list: { i: values.map(String) } });
const bool = (b: boolean) => ({ b });

/**
 * Lowers the inference graph to TensorFlow GraphDef nodes over NHWC maps, using only ops
 * tfjs-converter executes: Conv2D (explicit padding), DepthwiseConv2dNative, BiasAdd, Prelu,
 * AddV2, Mul, Sub, MatMul, BatchMatMulV2, Reshape, Transpose, ExpandDims, Mean, Square, Rsqrt,
 * Relu, Relu6, Sigmoid, Softmax. Batch norm is folded into the conv / linear before it, else
 * applied as Mul + AddV2 with per-channel constants (inference statistics).
 */
class GraphDefLowering extends GraphLowering {
  readonly nodes: TfNode[] = [];
  readonly specs: tf.io.WeightsManifestEntry[] = [];
  readonly chunks: ArrayBuffer[] = [];

  constructor(graph: InferenceGraph) {
    super(graph, true, GRAPH_MODEL_INPUT);
    const s = graph.backbone.config.inputSize;
    this.nodes.push({
      name: GRAPH_MODEL_INPUT, op: 'Placeholder',
      attr: { dtype: FLOAT, shape: { shape: { dim: [-1, s, s, 3].map((size) => ({ size: String(size) })) } } },
    });
  }

  /** TensorFlow node names allow letters, digits and `_./-` only. */
  protected override unique(base: string): string {
    return super.unique(base.replace(/[^A-Za-z0-9_./-]/g, '_'));
  }

  private node(op: string, module: string, input: string[], attr: Record<string, unknown> = {}): string {
    const name = this.unique(`${module ? `${module}/` : ''}${op}`);
    this.nodes.push({ name, op, input, attr });
    return name;
  }

  private constant(name: string, data: Float32Array | Int32Array, shape: readonly number[]): string {
    const unique = this.unique(name);
    const dtype = data instanceof Float32Array ? 'float32' : 'int32';
    this.nodes.push({
      name: unique, op: 'Const',
      attr: { value: { tensor: { dtype: dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32', tensorShape: { dim: shape.map((size) => ({ size: String(size) })) } } }, dtype: dtype === 'float32' ? FLOAT : INT },
    });
    this.specs.push({ name: unique, shape: [...shape], dtype });
    this.chunks.push(data.slice().buffer);
    return unique;
  }

  private ints(name: string, values: readonly number[]): string {
    return this.constant(name, Int32Array.from(values), [values.length]);
  }

  /** Lowers the graph and names its result the model's output. */
  override run(): string {
    const last = super.run();
    this.nodes.push({ name: GRAPH_MODEL_OUTPUT, op: 'Identity', input: [last], attr: { T: FLOAT } });
    return GRAPH_MODEL_OUTPUT;
  }

  private biasAdd(module: string, x: string, bias: Float32Array, name: string): string {
    return this.node('BiasAdd', module, [x, this.constant(name, bias, [bias.length])], { T: FLOAT, data_format: str('NHWC') });
  }

  /** `[.., in] × [in, out]`: MatMul on 2-D input, reshaped around it for token sequences. */
  private matmul(module: string, x: string, input: Value, weight: HostWeight, bias: Float32Array | null, name: string): string {
    const [inFeatures, outFeatures] = weight.shape as [number, number];
    const tokens = input.shape.length === 2 ? (input.shape[0] as number) : null;
    let flat = x;
    if (tokens !== null) flat = this.node('Reshape', module, [x, this.ints(`${module}/in_shape`, [-1, inFeatures])], { T: FLOAT });
    let y = this.node('MatMul', module, [flat, this.constant(name, weight.data, weight.shape)], { T: FLOAT, transpose_a: bool(false), transpose_b: bool(false) });
    if (bias) y = this.biasAdd(module, y, bias, `${name.replace(/weight$/, '')}bias`);
    return tokens === null ? y : this.node('Reshape', module, [y, this.ints(`${module}/out_shape`, [-1, tokens, outFeatures])], { T: FLOAT });
  }

  protected lower(op: GraphOp): string {
    const m = op.module;
    switch (op.op) {
      case 'conv': {
        const { weight, bias } = this.producerWeights(op);
        const padding = op.pad === 0
          ? { padding: str('VALID') }
          : { padding: str('EXPLICIT'), explicit_paddings: ints([0, 0, op.pad, op.pad, op.pad, op.pad, 0, 0]) };
        const y = this.node(op.depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', m, [this.ref(op.input), this.constant(op.weight, weight.data, weight.shape)], {
          T: FLOAT, strides: ints([1, op.stride, op.stride, 1]), ...padding, data_format: str('NHWC'), dilations: ints([1, 1, 1, 1]),
        });
        return bias ? this.biasAdd(m, y, bias, op.bias ?? `${m}.bias`) : y;
      }
      case 'batchNorm': {
        const { scale, shift } = batchNormAffine(this.weights, op.prefix, op.eps);
        const scaled = this.node('Mul', m, [this.ref(op.input), this.constant(`${op.prefix}.scale`, scale, [scale.length])], { T: FLOAT });
        return this.biasAdd(m, scaled, shift, `${op.prefix}.shift`);
      }
      case 'prelu': {
        const alpha = this.w(op.alpha);
        return this.node('Prelu', m, [this.ref(op.input), this.constant(op.alpha, alpha.data, alpha.shape)], { T: FLOAT });
      }
      case 'add':
        return this.node('AddV2', m, [this.ref(op.inputs[0]), this.ref(op.inputs[1])], { T: FLOAT });
      case 'flattenChannelsFirst': {
        const [h, w, c] = op.input.shape as [number, number, number];
        const nchw = this.node('Transpose', m, [this.ref(op.input), this.ints(`${m}/nchw`, [0, 3, 1, 2])], { T: FLOAT });
        return this.node('Reshape', m, [nchw, this.ints(`${m}/flat_shape`, [-1, c * h * w])], { T: FLOAT });
      }
      case 'toTokens': {
        const [h, w, d] = op.input.shape as [number, number, number];
        return this.node('Reshape', m, [this.ref(op.input), this.ints(`${m}/tokens_shape`, [-1, h * w, d])], { T: FLOAT });
      }
      case 'flattenTokens': {
        const [l, d] = op.input.shape as [number, number];
        return this.node('Reshape', m, [this.ref(op.input), this.ints(`${m}/flat_shape`, [-1, l * d])], { T: FLOAT });
      }
      case 'linear': {
        const { weight, bias } = this.producerWeights(op);
        return this.matmul(m, this.ref(op.input), op.input, weight, bias, op.weight);
      }
      case 'addParam': {
        const p = this.w(op.param);
        return this.node('AddV2', m, [this.ref(op.input), this.constant(op.param, p.data, p.shape)], { T: FLOAT });
      }
      case 'layerNorm': {
        // (x − mean) · rsqrt(var + ε) · γ + β over the last axis.
        const x = this.ref(op.input);
        const axis = this.ints(`${m}/axis`, [-1]);
        const centred = this.node('Sub', m, [x, this.node('Mean', m, [x, axis], { T: FLOAT, Tidx: INT, keep_dims: bool(true) })], { T: FLOAT });
        const variance = this.node('Mean', m, [this.node('Square', m, [centred], { T: FLOAT }), axis], { T: FLOAT, Tidx: INT, keep_dims: bool(true) });
        const eps = this.constant(`${m}/eps`, new Float32Array([op.eps]), []);
        const normed = this.node('Mul', m, [centred, this.node('Rsqrt', m, [this.node('AddV2', m, [variance, eps], { T: FLOAT })], { T: FLOAT })], { T: FLOAT });
        const gamma = this.w(`${op.prefix}.gamma`);
        const beta = this.w(`${op.prefix}.beta`);
        const scaled = this.node('Mul', m, [normed, this.constant(`${op.prefix}.gamma`, gamma.data, gamma.shape)], { T: FLOAT });
        return this.node('AddV2', m, [scaled, this.constant(`${op.prefix}.beta`, beta.data, beta.shape)], { T: FLOAT });
      }
      case 'attention':
        return this.attention(op);
      case 'relu':
        return this.node('Relu', m, [this.ref(op.input)], { T: FLOAT });
      case 'relu6':
        return this.node('Relu6', m, [this.ref(op.input)], { T: FLOAT });
      case 'sigmoid':
        return this.node('Sigmoid', m, [this.ref(op.input)], { T: FLOAT });
      case 'gate': {
        const expanded = this.node('ExpandDims', m, [this.ref(op.gate), this.ints(`${m}/axis`, [2])], { T: FLOAT, Tdim: INT });
        return this.node('Mul', m, [this.ref(op.input), expanded], { T: FLOAT });
      }
    }
  }

  /** softmax(q·kᵀ/√d)·v per head, as separate q/k/v projections (the fused weight's column blocks). */
  private attention(op: Extract<GraphOp, { op: 'attention' }>): string {
    const m = op.module;
    const { l, d, h, parts, proj } = this.attentionParts(op);
    const x = this.ref(op.input);
    const [q, k, v] = parts.map((part) => {
      const mm = `${m}/${part.name}`;
      const projected = this.matmul(mm, x, op.input, part.weight, part.bias, `${op.prefix}.${part.name}.weight`);
      const split = this.node('Reshape', mm, [projected, this.ints(`${mm}/heads_shape`, [-1, l, h, d / h])], { T: FLOAT });
      return this.node('Transpose', mm, [split, this.ints(`${mm}/perm`, [0, 2, 1, 3])], { T: FLOAT });
    }) as [string, string, string];
    const logits = this.node('BatchMatMulV2', m, [q, k], { T: FLOAT, adj_x: bool(false), adj_y: bool(true) });
    const scores = this.node('Mul', m, [logits, this.constant(`${m}/scale`, new Float32Array([(d / h) ** -0.5]), [])], { T: FLOAT });
    const mixed = this.node('BatchMatMulV2', m, [this.node('Softmax', m, [scores], { T: FLOAT }), v], { T: FLOAT, adj_x: bool(false), adj_y: bool(false) });
    const merged = this.node('Reshape', m, [this.node('Transpose', m, [mixed, this.ints(`${m}/merge_perm`, [0, 2, 1, 3])], { T: FLOAT }), this.ints(`${m}/merge_shape`, [-1, l, d])], { T: FLOAT });
    return this.matmul(`${m}/proj`, merged, op.input, proj.weight, proj.bias, `${op.prefix}.proj.weight`);
  }
}

/**
 * Exports a backbone as a TensorFlow.js **GraphModel** (`format: 'graph-model'`, a GraphDef JSON
 * topology + one weights file) that `@tensorflow/tfjs-converter`'s `loadGraphModel` runs with no
 * @fr package installed — what face-api- or Human-style apps load. Input `input` NHWC float32
 * `[batch, S, S, 3]`, normalised as `userDefinedMetadata` says; output `embedding` `[batch, E]`
 * (raw; L2-normalise it). Save the artifacts with any tfjs IOHandler (in Node:
 * `fileSystem(dir)` from `@fr/backbones/node`).
 *
 * @example
 * ```ts
 * await fileSystem('out/r50-web').save(exportGraphModel(backbone));
 * // in the app: const model = await tf.loadGraphModel('/r50-web/model.json'); model.predict(x)
 * ```
 */
export function exportGraphModel(backbone: Backbone, options: GraphModelExportOptions = {}): tf.io.ModelArtifacts {
  const lowering = new GraphDefLowering(inferenceGraph(backbone));
  lowering.run();
  const total = lowering.chunks.reduce((n, c) => n + c.byteLength, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const chunk of lowering.chunks) {
    weightData.set(new Uint8Array(chunk), at);
    at += chunk.byteLength;
  }
  const s = backbone.config.inputSize;
  return {
    format: 'graph-model',
    generatedBy: `@fr/interop ${VERSION}`,
    convertedBy: `@fr/interop ${VERSION}`,
    modelTopology: { node: lowering.nodes, library: {}, versions: { producer: 1 } },
    weightSpecs: lowering.specs,
    weightData: weightData.buffer,
    signature: {
      inputs: { [GRAPH_MODEL_INPUT]: { name: `${GRAPH_MODEL_INPUT}:0`, dtype: 'DT_FLOAT', tensorShape: { dim: [-1, s, s, 3].map((size) => ({ size: String(size) })) } } },
      outputs: { [GRAPH_MODEL_OUTPUT]: { name: `${GRAPH_MODEL_OUTPUT}:0`, dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }, { size: String(backbone.embeddingSize) }] } } },
    },
    userDefinedMetadata: { fr: contractMetadata(backbone, { layout: 'NHWC', source: options.source, recipe: options.recipe }) },
  };
}
