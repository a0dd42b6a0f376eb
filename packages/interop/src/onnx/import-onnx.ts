import { tf, type Backbone } from '@fr/core';
import { getArchitecture, iresnetFinalSize, IRESNET_LAYERS, mobilefacenetFinalSize } from '@fr/backbones';
import { inferenceGraph } from '../graph/build-graph.js';
import { backboneWithWeights } from '../load-backbone-weights.js';
import type { GraphOp, InferenceGraph } from '../graph/inference-graph.js';
import { permute } from '../graph/weights.js';
import { describeNode, OnnxGraph, type GraphNode } from './onnx-graph.js';

/** Ops the importer maps onto @fr layers (plus pass-through and shape ops, see onnx-graph.ts). */
const SUPPORTED = new Set(['Conv', 'BatchNormalization', 'PRelu', 'LeakyRelu', 'Relu', 'Neg', 'Mul', 'Sub', 'Where', 'Greater', 'Add', 'Gemm', 'MatMul']);

const TORCH_TO_CONV = [2, 3, 1, 0]; // [out, in, kh, kw] → [kh, kw, in, out]
const TORCH_TO_DEPTHWISE = [2, 3, 0, 1]; // [C, 1, kh, kw] → [kh, kw, C, 1]

export interface OnnxImportOptions {
  /** @fr architecture (default: from the file's `fr.config` metadata, else inferred from its convolutions). */
  readonly architecture?: string;
  /** Its `createBackbone` options (merged over the inferred ones). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Names the file in errors. */
  readonly source?: string;
}

interface ConvInfo {
  readonly node: GraphNode;
  readonly kernel: number;
  readonly stride: number;
  readonly group: number;
  readonly inChannels: number;
  readonly outChannels: number;
}

function convInfo(g: OnnxGraph, node: GraphNode): ConvInfo {
  const w = g.constant(node.inputs[1] as string, describeNode(node));
  const [out, inPerGroup, k] = w.shape as [number, number, number];
  const group = g.intAttr(node, 'group', 1);
  return { node, kernel: k, stride: g.intsAttr(node, 'strides')?.[0] ?? 1, group, inChannels: inPerGroup * group, outChannels: out };
}

/** Output width of the last Gemm / MatMul on the data path (the embedding size). */
function embeddingSize(g: OnnxGraph, data: readonly GraphNode[]): { out: number; in: number } {
  const last = [...data].reverse().find((n) => n.op === 'Gemm' || n.op === 'MatMul');
  if (!last) throw new Error('it has no Gemm / MatMul (fully connected) layer');
  const w = g.constant(last.inputs[1] as string, describeNode(last));
  const transposed = last.op === 'Gemm' && g.intAttr(last, 'transB', 0) === 1;
  const [a, b] = w.shape as [number, number];
  return transposed ? { out: a, in: b } : { out: b, in: a };
}

/** The architecture and options of an arcface_torch-layout graph, from its convolutions. */
function inferFromGraph(g: OnnxGraph): { architecture: string; options: Record<string, unknown> } {
  const data = g.dataNodes();
  const convs = data.filter((n) => n.op === 'Conv').map((n) => convInfo(g, n));
  const stem = convs[0];
  if (!stem || stem.inChannels !== 3 || stem.kernel !== 3) throw new Error('its first convolution is not a 3×3 conv on the RGB input (not an IResNet or MobileFaceNet)');
  const fc = embeddingSize(g, data);
  const sizeFor = (side: number) => g.inputSize() ?? 16 * side;
  if (stem.stride === 1) {
    // IResNet: blocks of conv3×3 s1, conv3×3 s1|2 (+ conv1×1 downsample); a stride-2 block starts a stage.
    const layers: number[] = [];
    for (let i = 1; i < convs.length;) {
      const second = convs[i + 1];
      if (!second || second.kernel !== 3) throw new Error(`${describeNode(convs[i]!.node)} does not start an IResNet block (conv 3×3, conv 3×3)`);
      if (second.stride === 2) layers.push(0);
      if (layers.length === 0) throw new Error(`${describeNode(second.node)}: the first IResNet block must have stride 2`);
      layers[layers.length - 1]! += 1;
      i += 2;
      if (convs[i]?.kernel === 1) i += 1;
    }
    if (layers.length !== 4) throw new Error(`found ${layers.length} stride-2 stages, an IResNet has 4`);
    const last = convs[convs.length - 1]!.outChannels;
    const side = Math.round(Math.sqrt(fc.in / last));
    const preset = Object.entries(IRESNET_LAYERS).find(([, l]) => l.every((n, j) => n === layers[j]))?.[0];
    const inputSize = sizeFor(side);
    if (iresnetFinalSize(inputSize) !== side) throw new Error(`input ${inputSize}×${inputSize} does not give the ${side}×${side} map its fc layer expects`);
    return { architecture: preset ?? 'iresnet50', options: { ...(preset ? {} : { layers }), widthMultiplier: stem.outChannels / 64, inputSize, embeddingSize: fc.out } };
  }
  // MobileFaceNet: stem s2, then depthwise 3×3 (or residual bottlenecks), bottleneck triples
  // (1×1, depthwise 3×3, 1×1) whose stride-2 ones start the stages, conv_sep 1×1, GDC depthwise.
  const depthwise = (c: ConvInfo | undefined) => c !== undefined && c.group > 1 && c.group === c.inChannels && c.group === c.outChannels;
  let i = 1;
  const counts: number[] = [0];
  const first = convs[1];
  if (first && first.kernel === 3 && first.group > 1 && !depthwise(first)) {
    throw new Error(`${describeNode(first.node)} is a grouped conv with ${first.inChannels / first.group} channels per group (insightface's "mbf" at scale 2): @fr's mobilefacenet is the scale-1 (paper) layout, where it is depthwise`);
  }
  let firstBlocks = 1;
  if (depthwise(first) && first!.kernel === 3) i = 2;
  else firstBlocks = 0;
  while (i + 2 < convs.length && convs[i]!.kernel === 1 && depthwise(convs[i + 1]) && convs[i + 1]!.kernel === 3 && convs[i + 2]!.kernel === 1) {
    if (convs[i + 1]!.stride === 2) counts.push(0);
    else counts[counts.length - 1]! += 1;
    i += 3;
  }
  if (counts.length !== 4) throw new Error(`found ${counts.length - 1} stride-2 bottlenecks, a MobileFaceNet has 3`);
  const gdc = convs[i + 1];
  if (!gdc || !depthwise(gdc)) throw new Error('no GDC (global depthwise conv) head after conv_sep');
  const blocks = [firstBlocks === 1 ? 1 : counts[0]!, counts[1]!, counts[2]!, counts[3]!];
  const inputSize = sizeFor(gdc.kernel);
  if (mobilefacenetFinalSize(inputSize) !== gdc.kernel) throw new Error(`input ${inputSize}×${inputSize} does not give the ${gdc.kernel}×${gdc.kernel} map its GDC kernel expects`);
  return { architecture: 'mobilefacenet', options: { blocks, widthMultiplier: stem.outChannels / 64, inputSize, embeddingSize: fc.out } };
}

/**
 * Walks the @fr inference graph and finds, by data flow, the ONNX node(s) computing each op,
 * collecting @fr weights: conv (+ a batch norm the exporter folded into it, unfolded into an
 * identity-statistics BN so the model trains again), BatchNormalization, PReLU in any exported
 * form, Add, Gemm/MatMul(+Add). Throws naming the first node it cannot map.
 */
class Aligner {
  readonly state = new Map<string, Float32Array>();
  private readonly map = new Map<string, string>();
  private readonly used = new Set<GraphNode>();
  private readonly handled = new Set<GraphOp>();
  private readonly irConsumers = new Map<string, GraphOp[]>();
  /** Biases of convs / linears that a real BatchNormalization reads: they move into its mean. */
  private readonly pendingBias = new Map<GraphNode, Float32Array>();

  constructor(private readonly g: OnnxGraph, private readonly graph: InferenceGraph) {
    this.map.set(graph.input.name, g.input);
    for (const op of graph.ops) {
      const inputs = 'inputs' in op ? op.inputs : [op.input];
      for (const v of inputs) this.irConsumers.set(v.name, [...(this.irConsumers.get(v.name) ?? []), op]);
    }
  }

  private fail(message: string, node?: GraphNode): never {
    throw new Error(`${this.g.source}: ${node ? `${describeNode(node)}: ` : ''}${message}`);
  }

  private onnx(v: { name: string }): string {
    return this.map.get(v.name) as string;
  }

  /** An unused consumer of `value` with op in `ops`, passing `accept`. */
  private consumer(value: string, ops: readonly string[], accept: (n: GraphNode) => boolean = () => true): GraphNode | undefined {
    return this.g.consumersOf(value).find((n) => !this.used.has(n) && ops.includes(n.op) && accept(n));
  }

  private nothingMatches(what: string, value: string): never {
    const found = this.g.consumersOf(value).filter((n) => !this.used.has(n));
    const first = found[0];
    return this.fail(`expected ${what} here${first ? '' : ` after value "${value}" (nothing reads it)`}`, first);
  }

  /** The BN right after `op` in the @fr graph, when it is the only reader of its output. */
  private followingBatchNorm(op: GraphOp): Extract<GraphOp, { op: 'batchNorm' }> | null {
    const next = this.irConsumers.get(op.output.name) ?? [];
    return next.length === 1 && next[0]!.op === 'batchNorm' ? next[0] as Extract<GraphOp, { op: 'batchNorm' }> : null;
  }

  private use(node: GraphNode): GraphNode {
    this.used.add(node);
    return node;
  }

  private bias(node: GraphNode, index: number, channels: number): Float32Array | null {
    const name = node.inputs[index];
    if (!name) return null;
    const b = this.g.floats(name, describeNode(node));
    if (b.length !== channels) this.fail(`bias has ${b.length} values, expected ${channels}`, node);
    return b;
  }

  /**
   * After a conv / linear whose ONNX node carries a bias: either a real BatchNormalization reads
   * it (the bias moves into that BN's mean) or the exporter folded the BN (identity statistics,
   * β = bias). Records the ONNX value `out` as the @fr op's output (and the folded BN's).
   */
  private afterProducer(op: GraphOp, out: string, bias: Float32Array | null, ownBias: string | null, channels: number): void {
    const bn = this.followingBatchNorm(op);
    const onnxBn = bn ? this.consumer(out, ['BatchNormalization']) : undefined;
    if (ownBias) {
      this.state.set(ownBias, bias ?? new Float32Array(channels));
      bias = null;
    }
    if (bn && !onnxBn) {
      // Folded: y = W'x + b'. Unfold into BN(γ = √(1+ε), β = b', μ = 0, σ² = 1) = W'x + b'.
      this.setBatchNorm(bn.prefix, new Float32Array(channels).fill(Math.sqrt(1 + bn.eps)), bias ?? new Float32Array(channels), new Float32Array(channels), new Float32Array(channels).fill(1));
      this.handled.add(bn);
      this.map.set(bn.output.name, out);
    } else if (bias && onnxBn) {
      this.pendingBias.set(onnxBn, bias);
    } else if (bias && bias.some((v) => v !== 0)) {
      this.fail(`has a bias that the @fr layer "${op.module}" cannot hold (no batch norm follows it)`, this.g.producerOf(out));
    }
    this.map.set(op.output.name, out);
  }

  private setBatchNorm(prefix: string, gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array): void {
    this.state.set(`${prefix}.gamma`, gamma);
    this.state.set(`${prefix}.beta`, beta);
    this.state.set(`${prefix}.runningMean`, mean);
    this.state.set(`${prefix}.runningVar`, variance);
  }

  run(): void {
    for (const op of this.graph.ops) {
      if (this.handled.has(op)) continue;
      this.align(op);
    }
    const out = this.g.root(this.g.output);
    const last = this.onnx(this.graph.output);
    if (this.g.root(last) !== out) this.fail(`the graph output "${this.g.output}" is not the embedding @fr computes (value "${last}")`);
    const leftover = this.g.dataNodes().find((n) => !this.used.has(n) && !['Identity', 'Dropout', 'Flatten', 'Reshape', 'Gather', 'Unsqueeze', 'Concat', 'Cast'].includes(n.op));
    if (leftover) this.fail(`is not part of the ${this.graph.backbone.name} computation`, leftover);
  }

  private align(op: GraphOp): void {
    switch (op.op) {
      case 'conv': {
        const x = this.onnx(op.input);
        const channels = op.output.shape[2] as number;
        const node = this.consumer(x, ['Conv']) ?? this.nothingMatches(`a Conv for @fr layer "${op.module}"`, x);
        this.use(node);
        const info = convInfo(this.g, node);
        const pads = this.g.intsAttr(node, 'pads') ?? [0, 0, 0, 0];
        const dilations = this.g.intsAttr(node, 'dilations') ?? [1, 1];
        const expectGroup = op.depthwise ? channels : 1;
        if (info.kernel !== op.kernel || info.stride !== op.stride || info.group !== expectGroup || info.outChannels !== channels || info.inChannels !== op.input.shape[2]
          || pads.some((p) => p !== op.pad) || dilations.some((d) => d !== 1)) {
          this.fail(`is a ${info.kernel}×${info.kernel} conv (stride ${info.stride}, pads [${pads}], group ${info.group}, ${info.inChannels}→${info.outChannels}), but @fr layer "${op.module}" is ${op.kernel}×${op.kernel}, stride ${op.stride}, pad ${op.pad}, ${op.depthwise ? 'depthwise' : 'group 1'}, ${op.input.shape[2]}→${channels}`, node);
        }
        const w = this.g.constant(node.inputs[1] as string, describeNode(node));
        const values = this.g.floats(node.inputs[1] as string, describeNode(node));
        this.state.set(op.weight, permute(values, w.shape, op.depthwise ? TORCH_TO_DEPTHWISE : TORCH_TO_CONV));
        this.afterProducer(op, node.outputs[0] as string, this.bias(node, 2, channels), op.bias, channels);
        return;
      }
      case 'batchNorm': {
        const x = this.onnx(op.input);
        const node = this.consumer(x, ['BatchNormalization']) ?? this.nothingMatches(`a BatchNormalization for @fr layer "${op.module}"`, x);
        this.use(node);
        const [gamma, beta, mean, variance] = node.inputs.slice(1, 5).map((n) => this.g.floats(n, describeNode(node))) as [Float32Array, Float32Array, Float32Array, Float32Array];
        const eps = this.g.floatAttr(node, 'epsilon', 1e-5);
        // Same normalisation with our ε: σ²' + ε_ours = σ² + ε_file.
        const adjusted = variance.map((v) => v + eps - op.eps);
        const bias = this.pendingBias.get(node);
        this.setBatchNorm(op.prefix, gamma, beta, bias ? mean.map((m, c) => m - (bias[c] as number)) : mean, adjusted);
        this.map.set(op.output.name, node.outputs[0] as string);
        return;
      }
      case 'prelu':
        return this.prelu(op);
      case 'add': {
        const [a, b] = op.inputs.map((v) => this.g.root(this.onnx(v))) as [string, string];
        const node = this.g.consumersOf(this.onnx(op.inputs[0])).find((n) => !this.used.has(n) && n.op === 'Add'
          && n.inputs.map((i) => this.g.root(i)).sort().join('\n') === [a, b].sort().join('\n'));
        if (!node) this.nothingMatches(`the residual Add of @fr block "${op.module}"`, this.onnx(op.inputs[1]));
        this.map.set(op.output.name, this.use(node!).outputs[0] as string);
        return;
      }
      case 'flattenChannelsFirst':
        this.map.set(op.output.name, this.onnx(op.input));
        return;
      case 'linear':
        return this.linear(op);
      default:
        this.fail(`@fr op "${op.op}" of "${op.module}" cannot be imported from ONNX (IResNet and MobileFaceNet graphs are supported; import a ViT from its state dict)`);
    }
  }

  private linear(op: Extract<GraphOp, { op: 'linear' }>): void {
    const x = this.onnx(op.input);
    const out = op.output.shape[op.output.shape.length - 1] as number;
    const node = this.consumer(x, ['Gemm', 'MatMul'], (n) => this.g.isConstant(n.inputs[1] as string)) ?? this.nothingMatches(`a Gemm / MatMul for @fr layer "${op.module}"`, x);
    this.use(node);
    const w = this.g.constant(node.inputs[1] as string, describeNode(node));
    const values = this.g.floats(node.inputs[1] as string, describeNode(node));
    const transposed = node.op === 'Gemm' && this.g.intAttr(node, 'transB', 0) === 1;
    if (node.op === 'Gemm' && (this.g.intAttr(node, 'transA', 0) !== 0 || this.g.floatAttr(node, 'alpha', 1) !== 1 || this.g.floatAttr(node, 'beta', 1) !== 1)) {
      this.fail('only Gemm with transA 0, alpha 1, beta 1 maps onto a linear layer', node);
    }
    const [rows, cols] = w.shape as [number, number];
    if ((transposed ? rows : cols) !== out) this.fail(`has ${transposed ? rows : cols} outputs, @fr layer "${op.module}" has ${out}`, node);
    this.state.set(op.weight, transposed ? permute(values, w.shape, [1, 0]) : values);
    let result = node.outputs[0] as string;
    let bias = node.op === 'Gemm' ? this.bias(node, 2, out) : null;
    if (node.op === 'MatMul') {
      const add = this.consumer(result, ['Add'], (n) => n.inputs.some((i) => this.g.isConstant(i)));
      if (add) {
        this.use(add);
        bias = this.bias(add, add.inputs.findIndex((i) => this.g.isConstant(i)), out);
        result = add.outputs[0] as string;
      }
    }
    this.afterProducer(op, result, bias, op.bias, out);
  }

  /** PRelu(x, slope), LeakyRelu, relu(x) − a·relu(−x), relu(x) + a·(−relu(−x)), Where(x > 0, x, a·x). */
  private prelu(op: Extract<GraphOp, { op: 'prelu' }>): void {
    const x = this.onnx(op.input);
    const channels = op.input.shape[op.input.shape.length - 1] as number;
    const slopeFrom = (name: string, node: GraphNode): Float32Array => {
      const s = this.g.floats(name, describeNode(node));
      if (s.length === channels) return s;
      if (s.length === 1) return new Float32Array(channels).fill(s[0] as number);
      return this.fail(`slope has ${s.length} values, expected ${channels}`, node);
    };
    const constantInput = (n: GraphNode) => n.inputs.find((i) => this.g.isConstant(i));
    const finish = (slope: Float32Array, out: string, nodes: GraphNode[]) => {
      for (const n of nodes) this.use(n);
      this.state.set(op.alpha, slope);
      this.map.set(op.output.name, out);
    };
    const direct = this.consumer(x, ['PRelu', 'LeakyRelu']);
    if (direct) {
      return finish(direct.op === 'PRelu' ? slopeFrom(direct.inputs[1] as string, direct) : new Float32Array(channels).fill(this.g.floatAttr(direct, 'alpha', 0.01)), direct.outputs[0] as string, [direct]);
    }
    const where = this.consumer(x, ['Where']);
    if (where) {
      const cond = this.g.producerOf(where.inputs[0] as string);
      const scaled = this.g.producerOf(where.inputs[2] as string);
      const c = scaled && scaled.op === 'Mul' ? constantInput(scaled) : undefined;
      if (cond && ['Greater'].includes(cond.op) && where.inputs[1] === x && scaled && c) return finish(slopeFrom(c, scaled), where.outputs[0] as string, [where, cond, scaled]);
    }
    // relu(x) ∓ a·relu(−x): Relu(x), Neg(x) → Relu → Mul(a) [→ Neg] → Sub / Add.
    const pos = this.consumer(x, ['Relu']);
    const neg = this.consumer(x, ['Neg']);
    const negRelu = neg && this.consumer(neg.outputs[0] as string, ['Relu']);
    const mul = negRelu && this.consumer(negRelu.outputs[0] as string, ['Mul'], (n) => constantInput(n) !== undefined);
    if (pos && neg && negRelu && mul) {
      const slope = slopeFrom(constantInput(mul) as string, mul);
      const sub = this.consumer(mul.outputs[0] as string, ['Sub'], (n) => n.inputs[0] === pos.outputs[0]);
      if (sub) return finish(slope, sub.outputs[0] as string, [pos, neg, negRelu, mul, sub]);
      const flip = this.consumer(mul.outputs[0] as string, ['Neg']);
      const sum = flip && this.consumer(flip.outputs[0] as string, ['Add'], (n) => n.inputs.includes(pos.outputs[0] as string));
      if (flip && sum) return finish(slope, sum.outputs[0] as string, [pos, neg, negRelu, mul, flip, sum]);
    }
    this.nothingMatches(`a PReLU (PRelu, LeakyRelu, relu(x) − a·relu(−x) or Where(x > 0, x, a·x)) for @fr layer "${op.module}"`, x);
  }
}

function configOf(g: OnnxGraph, options: OnnxImportOptions): { architecture: string; options: Record<string, unknown> } {
  if (options.architecture !== undefined) return { architecture: options.architecture, options: { ...(options.options ?? {}) } };
  const saved = g.metadata['fr.config'];
  if (saved) {
    const config = JSON.parse(saved) as Record<string, unknown>;
    const { architecture, ...rest } = config;
    return { architecture: String(architecture), options: { ...rest, ...(options.options ?? {}) } };
  }
  try {
    const inferred = inferFromGraph(g);
    return { architecture: inferred.architecture, options: { ...inferred.options, ...(options.options ?? {}) } };
  } catch (error) {
    throw new Error(`${g.source}: cannot tell the architecture: ${error instanceof Error ? error.message : String(error)}. Pass { architecture, options }`);
  }
}

/**
 * Imports an ONNX face-embedding model into a trainable @fr backbone: IResNet and MobileFaceNet
 * graphs as `torch.onnx.export` writes them from arcface_torch / insightface code (and as
 * {@link exportOnnx} writes them). Weights are mapped by data flow against the @fr graph of the
 * architecture (read from the file's `fr.config` metadata, else inferred from its convolutions,
 * or given); batch norms the exporter folded into convs come back as identity-statistics BNs;
 * PReLU is recognised in its exported forms. Errors name the first ONNX node that has no @fr
 * counterpart. The result is in evaluation mode.
 *
 * @example
 * ```ts
 * const backbone = importOnnx(await readFile('w600k_r50.onnx'), { source: 'w600k_r50.onnx' });
 * backbone.module.train();                       // fine-tune it with any @fr composition
 * ```
 */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): Backbone {
  const g = new OnnxGraph(bytes, options.source ?? '<onnx>');
  const named = options.architecture ?? (g.metadata['fr.config'] ? String((JSON.parse(g.metadata['fr.config']) as { architecture?: unknown }).architecture) : undefined);
  if (named !== undefined && getArchitecture(named).family === 'vit') {
    throw new Error(`${g.source}: ONNX import maps IResNet and MobileFaceNet graphs; import a ViT (${named}) from its state dict (.pth / .safetensors) instead`);
  }
  const unsupported = g.unsupported(SUPPORTED);
  if (unsupported.length > 0) {
    throw new Error(`${g.source}: ${describeNode(unsupported[0]!)} has no @fr counterpart (IResNet / MobileFaceNet graphs use ${[...SUPPORTED].join(', ')}, plus reshapes)`);
  }
  const target = configOf(g, options);
  return backboneWithWeights(target.architecture, target.options, (backbone) => {
    const aligner = new Aligner(g, inferenceGraph(backbone));
    aligner.run();
    const own = backbone.module.stateDict();
    const missing = [...own.keys()].filter((k) => !aligner.state.has(k));
    if (missing.length > 0) throw new Error(`${g.source}: no ONNX weights for ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}`);
    return new Map([...aligner.state].map(([name, values]) => [name, tf.tensor(values, (own.get(name) as tf.Variable).shape)]));
  });
}
