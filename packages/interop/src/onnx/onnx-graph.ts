import { ITEM_SIZE, numel, toFloat32, type RawDtype, type RawTensor } from '../tensors/raw-tensor.js';
import { decodeOnnx, toNumber, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

/** ONNX `TensorProto.DataType` → ours (those a weight or a shape can have). */
const DTYPES: Readonly<Record<number, RawDtype>> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

/** Ops that only pass their data input through (for matching they are invisible). */
const TRANSPARENT = new Set(['Identity', 'Dropout', 'Flatten', 'Reshape']);
/** Ops of the shape-computing side graphs `torch.onnx.export` writes for `x.view(x.size(0), -1)`. */
const SHAPE_OPS = new Set(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Constant', 'Cast', 'Slice', 'Squeeze']);

export interface GraphNode {
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

function tensorOf(t: OnnxTensor, where: string): RawTensor {
  if (t.data_location === 1) throw new Error(`${where} is stored in an external data file, which is not supported: save the model with onnx.save(model, path, save_as_external_data=False)`);
  const dtype = DTYPES[t.data_type ?? 0];
  if (!dtype) throw new Error(`${where} has ONNX data type ${t.data_type}, which is not supported`);
  const shape = (t.dims ?? []).map(toNumber);
  const n = numel(shape);
  let bytes: Uint8Array;
  if (t.raw_data && t.raw_data.byteLength > 0) bytes = t.raw_data;
  else if (dtype === 'float32') bytes = new Uint8Array(Float32Array.from(t.float_data ?? []).buffer);
  else if (dtype === 'float64') bytes = new Uint8Array(Float64Array.from(t.double_data ?? []).buffer);
  else if (dtype === 'int64') bytes = new Uint8Array(BigInt64Array.from((t.int64_data ?? []).map((v) => BigInt(toNumber(v)))).buffer);
  else if (dtype === 'int32') bytes = new Uint8Array(Int32Array.from(t.int32_data ?? []).buffer);
  else throw new Error(`${where}: ${dtype} data outside raw_data is not supported`);
  if (bytes.byteLength !== n * ITEM_SIZE[dtype]) throw new Error(`${where}: ${dtype} [${shape.join(', ')}] needs ${n * ITEM_SIZE[dtype]} bytes, has ${bytes.byteLength} (truncated?)`);
  return { dtype, shape, bytes };
}

/**
 * An ONNX model as a data-flow graph: its nodes in file order, constants (initializers and
 * `Constant` nodes), who consumes each value, and "roots" that see through pass-through ops.
 */
export class OnnxGraph {
  readonly model: OnnxModel;
  readonly nodes: GraphNode[];
  readonly constants = new Map<string, RawTensor>();
  readonly input: string;
  readonly inputDims: readonly (number | string)[];
  readonly output: string;
  readonly metadata: Readonly<Record<string, string>>;
  private readonly consumers = new Map<string, GraphNode[]>();
  private readonly producer = new Map<string, GraphNode>();

  constructor(bytes: Uint8Array, readonly source: string) {
    this.model = decodeOnnx(bytes, source);
    const graph = this.model.graph;
    if (!graph) throw new Error(`${source}: the model has no graph (not an ONNX model?)`);
    for (const t of graph.initializer ?? []) this.constants.set(t.name ?? '', tensorOf(t, `${source}: initializer "${t.name}"`));
    this.nodes = (graph.node ?? []).map((n: OnnxNode, index) => ({
      index,
      name: n.name || `#${index} (${n.op_type})`,
      op: n.op_type ?? '',
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attributes: new Map((n.attribute ?? []).map((a) => [a.name ?? '', a])),
    }));
    for (const node of this.nodes) {
      if (node.op === 'Constant') {
        const value = node.attributes.get('value')?.t;
        if (value) this.constants.set(node.outputs[0] as string, tensorOf(value, `${source}: Constant "${node.name}"`));
      }
      // torch.onnx.export stores equal initializers once and hands each user an Identity of it
      // (e.g. the PReLU slopes of a freshly initialised network, all 0.25): still a constant.
      const passed = node.op === 'Identity' ? this.constants.get(node.inputs[0] ?? '') : undefined;
      if (passed) this.constants.set(node.outputs[0] as string, passed);
      for (const out of node.outputs) this.producer.set(out, node);
      for (const input of node.inputs) this.consumers.set(input, [...(this.consumers.get(input) ?? []), node]);
    }
    const inputs = (graph.input ?? []).filter((i) => !this.constants.has(i.name ?? ''));
    if (inputs.length !== 1) throw new Error(`${source}: expected one image input, found ${inputs.map((i) => i.name).join(', ') || 'none'}`);
    this.input = inputs[0]?.name ?? '';
    this.inputDims = (inputs[0]?.type?.tensor_type?.shape?.dim ?? []).map((d) => (d.dim_param ? d.dim_param : d.dim_value !== undefined ? toNumber(d.dim_value) : '?'));
    const outputs = graph.output ?? [];
    if (outputs.length < 1) throw new Error(`${source}: the graph has no output`);
    this.output = outputs[0]?.name ?? '';
    this.metadata = Object.fromEntries((this.model.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  }

  /** Every node whose op is not in `supported`, in file order. */
  unsupported(supported: ReadonlySet<string>): GraphNode[] {
    return this.nodes.filter((n) => !supported.has(n.op) && !SHAPE_OPS.has(n.op) && !TRANSPARENT.has(n.op));
  }

  isConstant(name: string): boolean {
    return this.constants.has(name);
  }

  constant(name: string, where: string): RawTensor {
    const t = this.constants.get(name);
    if (!t) throw new Error(`${this.source}: ${where}: "${name}" is computed, not a constant weight`);
    return t;
  }

  /** The values of a float constant (float16/64 converted). */
  floats(name: string, where: string): Float32Array {
    return toFloat32(this.constant(name, where), `${this.source}: ${where}`);
  }

  /** Nodes that read `value` or anything passed through from it. */
  consumersOf(value: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const node of this.consumers.get(value) ?? []) {
      if (TRANSPARENT.has(node.op) && node.inputs[0] === value) out.push(...this.consumersOf(node.outputs[0] as string));
      else if (node.op !== 'Shape') out.push(node);
    }
    return out;
  }

  /** The value before any pass-through ops (Identity, Dropout, Flatten, Reshape). */
  root(value: string): string {
    let v = value;
    for (let node = this.producer.get(v); node && TRANSPARENT.has(node.op); node = this.producer.get(v)) v = node.inputs[0] as string;
    return v;
  }

  producerOf(value: string): GraphNode | undefined {
    return this.producer.get(value);
  }

  intAttr(node: GraphNode, name: string, fallback: number): number {
    const a = node.attributes.get(name);
    return a?.i !== undefined ? toNumber(a.i) : fallback;
  }

  intsAttr(node: GraphNode, name: string): number[] | undefined {
    return node.attributes.get(name)?.ints?.map(toNumber);
  }

  floatAttr(node: GraphNode, name: string, fallback: number): number {
    return node.attributes.get(name)?.f ?? fallback;
  }

  /** Nodes on the data path (reached from the input), in file order: what must all be matched. */
  dataNodes(): GraphNode[] {
    const data = new Set([this.input]);
    const out: GraphNode[] = [];
    for (const node of this.nodes) {
      if (node.op === 'Shape' || !node.inputs.some((i) => data.has(i))) continue;
      out.push(node);
      for (const o of node.outputs) data.add(o);
    }
    return out;
  }

  /** The side of a square NCHW input, when the file fixes it. */
  inputSize(): number | undefined {
    const [, , h, w] = this.inputDims;
    return typeof h === 'number' && h > 0 && h === w ? h : undefined;
  }
}

export function describeNode(node: GraphNode): string {
  return `node "${node.name}" (op ${node.op})`;
}
