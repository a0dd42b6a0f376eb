import type { Backbone } from '@fr/core';
import { inferenceGraph } from '../graph/build-graph.js';
import type { GraphOp, InferenceGraph } from '../graph/inference-graph.js';
import { GraphLowering } from '../graph/lowering.js';
import { permute, type HostWeight } from '../graph/weights.js';
import { contractMetadata } from '../preprocessing-metadata.js';
import { VERSION } from '../version.js';
import { ATTRIBUTE, ONNX_FLOAT, ONNX_INT64, encodeOnnx, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

export interface OnnxExportOptions {
  /**
   * Fold each batch norm that directly follows a conv or linear into its weights (as
   * `torch.onnx.export` does in eval mode). Default true; false keeps every `BatchNormalization`.
   */
  readonly foldBatchNorm?: boolean;
  /** Operator set (17 or newer; default 17). */
  readonly opset?: number;
  /** Where the model came from, for the `fr.recipe` metadata. */
  readonly source?: string;
  /** Extra training facts for the `fr.recipe` metadata. */
  readonly recipe?: Readonly<Record<string, unknown>>;
}

/** The ONNX input and output names (arcface_torch's `torch2onnx.py` names the input `data`). */
export const ONNX_INPUT = 'data';
export const ONNX_OUTPUT = 'embedding';

const CONV_TO_TORCH = [3, 2, 0, 1];
const DEPTHWISE_TO_TORCH = [2, 3, 0, 1];

function attr(name: string, value: number | readonly number[] | string, float = false): OnnxAttribute {
  if (typeof value === 'string') return { name, type: ATTRIBUTE.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: ATTRIBUTE.INTS, ints: [...value] };
  return float ? { name, type: ATTRIBUTE.FLOAT, f: value as number } : { name, type: ATTRIBUTE.INT, i: value as number };
}

function floatTensor(name: string, data: Float32Array, dims: readonly number[]): OnnxTensor {
  return { name, dims: [...dims], data_type: ONNX_FLOAT, raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function int64Tensor(name: string, values: readonly number[]): OnnxTensor {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { name, dims: [values.length], data_type: ONNX_INT64, raw_data: raw };
}

/** Lowers the inference graph to ONNX nodes over NCHW feature maps. */
class OnnxLowering extends GraphLowering {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];

  constructor(graph: InferenceGraph, foldBatchNorm: boolean) {
    super(graph, foldBatchNorm, ONNX_INPUT);
  }

  private node(op: string, module: string, inputs: string[], attributes: OnnxAttribute[] = [], output?: string): string {
    const name = this.unique(`${module ? `${module}/` : ''}${op}`);
    const out = output ?? `${name}:0`;
    this.nodes.push({ name, op_type: op, input: inputs, output: [out], attribute: attributes });
    return out;
  }

  private constF(name: string, data: Float32Array, dims: readonly number[]): string {
    const unique = this.unique(name);
    this.initializers.push(floatTensor(unique, data, dims));
    return unique;
  }

  private constI64(name: string, values: readonly number[]): string {
    const unique = this.unique(name);
    this.initializers.push(int64Tensor(unique, values));
    return unique;
  }

  protected lower(op: GraphOp): string {
    const m = op.module;
    switch (op.op) {
      case 'conv': {
        const { weight, bias } = this.producerWeights(op);
        const perm = op.depthwise ? DEPTHWISE_TO_TORCH : CONV_TO_TORCH;
        const dims = perm.map((p) => weight.shape[p] as number);
        const inputs = [this.ref(op.input), this.constF(`${op.weight}`, permute(weight.data, weight.shape, perm), dims)];
        if (bias) inputs.push(this.constF(op.bias ?? `${m}.bias`, bias, [bias.length]));
        return this.node('Conv', m, inputs, [
          attr('kernel_shape', [op.kernel, op.kernel]), attr('strides', [op.stride, op.stride]),
          attr('pads', [op.pad, op.pad, op.pad, op.pad]), attr('dilations', [1, 1]),
          attr('group', op.depthwise ? (op.output.shape[2] as number) : 1),
        ]);
      }
      case 'batchNorm': {
        const names = ['gamma', 'beta', 'runningMean', 'runningVar'].map((leaf) => {
          const w = this.w(`${op.prefix}.${leaf}`);
          return this.constF(`${op.prefix}.${leaf}`, w.data, w.shape);
        });
        return this.node('BatchNormalization', m, [this.ref(op.input), ...names], [attr('epsilon', op.eps, true)]);
      }
      case 'prelu': {
        const alpha = this.w(op.alpha);
        // PRelu broadcasts the slope from the right: [C, 1, 1] against NCHW maps.
        const dims = op.input.kind === 'map' ? [alpha.shape[0] as number, 1, 1] : [...alpha.shape];
        return this.node('PRelu', m, [this.ref(op.input), this.constF(op.alpha, alpha.data, dims)]);
      }
      case 'add':
        return this.node('Add', m, [this.ref(op.inputs[0]), this.ref(op.inputs[1])]);
      case 'flattenChannelsFirst':
        return this.node('Flatten', m, [this.ref(op.input)], [attr('axis', 1)]);
      case 'toTokens': {
        const [, , d] = op.input.shape as [number, number, number];
        const reshaped = this.node('Reshape', m, [this.ref(op.input), this.constI64(`${m}.tokens_shape`, [0, d, -1])]);
        return this.node('Transpose', m, [reshaped], [attr('perm', [0, 2, 1])]);
      }
      case 'flattenTokens':
        return this.node('Reshape', m, [this.ref(op.input), this.constI64(`${m}.flat_shape`, [0, -1])]);
      case 'linear': {
        const { weight, bias } = this.producerWeights(op);
        return this.matmul(m, this.ref(op.input), weight, bias, op.weight);
      }
      case 'addParam': {
        const p = this.w(op.param);
        return this.node('Add', m, [this.ref(op.input), this.constF(op.param, p.data, p.shape)]);
      }
      case 'layerNorm': {
        const gamma = this.w(`${op.prefix}.gamma`);
        const beta = this.w(`${op.prefix}.beta`);
        return this.node('LayerNormalization', m, [this.ref(op.input), this.constF(`${op.prefix}.gamma`, gamma.data, gamma.shape), this.constF(`${op.prefix}.beta`, beta.data, beta.shape)],
          [attr('axis', -1), attr('epsilon', op.eps, true)]);
      }
      case 'attention':
        return this.attention(op);
      case 'relu':
        return this.node('Relu', m, [this.ref(op.input)]);
      case 'relu6':
        return this.node('Clip', m, [this.ref(op.input), this.constF(`${m}.min`, new Float32Array([0]), []), this.constF(`${m}.max`, new Float32Array([6]), [])]);
      case 'sigmoid':
        return this.node('Sigmoid', m, [this.ref(op.input)]);
      case 'gate': {
        const expanded = this.node('Unsqueeze', m, [this.ref(op.gate), this.constI64(`${m}.axes`, [2])]);
        return this.node('Mul', m, [this.ref(op.input), expanded]);
      }
    }
  }

  private matmul(module: string, input: string, weight: HostWeight, bias: Float32Array | null, name: string): string {
    const product = this.node('MatMul', module, [input, this.constF(name, weight.data, weight.shape)]);
    return bias ? this.node('Add', module, [product, this.constF(`${name.replace(/weight$/, '')}bias`, bias, [bias.length])]) : product;
  }

  /** softmax(q·kᵀ/√d)·v per head, as separate q/k/v projections (the fused weight's column blocks). */
  private attention(op: Extract<GraphOp, { op: 'attention' }>): string {
    const m = op.module;
    const { l, d, h, parts, proj } = this.attentionParts(op);
    const x = this.ref(op.input);
    const headsShape = this.constI64(`${m}.heads_shape`, [0, l, h, d / h]);
    const [q, k, v] = parts.map((part) => {
      const projected = this.matmul(`${m}/${part.name}`, x, part.weight, part.bias, `${op.prefix}.${part.name}.weight`);
      const split = this.node('Reshape', `${m}/${part.name}`, [projected, headsShape]);
      return this.node('Transpose', `${m}/${part.name}`, [split], [attr('perm', part.name === 'k' ? [0, 2, 3, 1] : [0, 2, 1, 3])]);
    }) as [string, string, string];
    const scores = this.node('Mul', m, [this.node('MatMul', m, [q, k]), this.constF(`${m}.scale`, new Float32Array([(d / h) ** -0.5]), [])]);
    const mixed = this.node('MatMul', m, [this.node('Softmax', m, [scores], [attr('axis', -1)]), v]);
    const merged = this.node('Reshape', m, [this.node('Transpose', m, [mixed], [attr('perm', [0, 2, 1, 3])]), this.constI64(`${m}.merge_shape`, [0, l, d])]);
    return this.matmul(`${m}/proj`, merged, proj.weight, proj.bias, `${op.prefix}.proj.weight`);
  }

  /** Lowers the graph and names its result the model's output. */
  override run(): string {
    const last = super.run();
    this.nodes.push({ name: this.unique('output'), op_type: 'Identity', input: [last], output: [ONNX_OUTPUT] });
    return ONNX_OUTPUT;
  }
}

/**
 * Exports a backbone as an ONNX inference model (opset 17+): input `data` NCHW float32
 * `[batch, 3, S, S]` with a dynamic batch, output `embedding` `[batch, E]` (raw; L2-normalise it),
 * batch norms folded into the conv/linear before them unless `foldBatchNorm: false`, and the
 * preprocessing contract in `metadata_props` ({@link contractMetadata}).
 *
 * @example
 * ```ts
 * await writeFile('r50.onnx', exportOnnx(backbone));
 * // onnxruntime: session.run({ data: new ort.Tensor('float32', nchw, [n, 3, 112, 112]) })
 * ```
 */
export function exportOnnx(backbone: Backbone, options: OnnxExportOptions = {}): Uint8Array {
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 17) throw new Error(`opset must be an integer ≥ 17 (LayerNormalization needs 17), got ${opset}`);
  const graph = inferenceGraph(backbone);
  const lowering = new OnnxLowering(graph, options.foldBatchNorm ?? true);
  lowering.run();
  const s = backbone.config.inputSize;
  const tensorInfo = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
  });
  const metadata = contractMetadata(backbone, { layout: 'NCHW', source: options.source, recipe: options.recipe });
  return encodeOnnx({
    ir_version: 8,
    opset_import: [{ domain: '', version: opset }],
    producer_name: '@fr/interop',
    producer_version: VERSION,
    doc_string: `${backbone.name} face embedding network exported by @fr/interop`,
    graph: {
      name: backbone.name,
      node: lowering.nodes,
      initializer: lowering.initializers,
      input: [tensorInfo(ONNX_INPUT, ['batch', 3, s, s])],
      output: [tensorInfo(ONNX_OUTPUT, ['batch', backbone.embeddingSize])],
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}
