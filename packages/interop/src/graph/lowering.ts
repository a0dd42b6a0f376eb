import type { GraphOp, InferenceGraph, Value } from './inference-graph.js';
import { WeightSource, batchNormAffine, columns, foldInto, foldingPlan, type HostWeight } from './weights.js';

type Producer = Extract<GraphOp, { op: 'conv' | 'linear' }>;

/**
 * What the ONNX and GraphModel exporters share: walking the inference graph in order, unique node
 * names, the value each @fr value became, and batch norms folded into the conv / linear before them
 * (such a BN is skipped: its producer already computes its output).
 */
export abstract class GraphLowering {
  protected readonly weights: WeightSource;
  private readonly names = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly fold: Map<Producer, Extract<GraphOp, { op: 'batchNorm' }>>;
  private readonly folded = new Set<GraphOp>();

  constructor(protected readonly graph: InferenceGraph, foldBatchNorm: boolean, inputName: string) {
    this.weights = new WeightSource(graph.backbone);
    this.fold = foldingPlan(graph, foldBatchNorm);
    for (const bn of this.fold.values()) this.folded.add(bn);
    this.used.add(inputName);
    this.names.set(graph.input.name, inputName);
  }

  /** Turns one op into format nodes; returns the name of the node output holding its result. */
  protected abstract lower(op: GraphOp): string;

  /** A node name not used yet, derived from `base` (`base_1`, `base_2`, …). */
  protected unique(base: string): string {
    let name = base || 'node';
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** The format's name of an @fr value computed earlier. */
  protected ref(v: Value): string {
    const name = this.names.get(v.name);
    if (name === undefined) throw new Error(`internal: value ${v.name} used before it is computed`);
    return name;
  }

  protected w(name: string): HostWeight {
    return this.weights.get(name);
  }

  /** A conv's or linear's weight (@fr layout) and bias, with the batch norm folded into it applied. */
  protected producerWeights(op: Producer): { weight: HostWeight; bias: Float32Array | null } {
    const weight = this.w(op.weight);
    const bias = op.bias ? this.w(op.bias).data : null;
    const bn = this.fold.get(op);
    return bn ? foldInto(weight, bias, batchNormAffine(this.weights, bn.prefix, bn.eps)) : { weight, bias };
  }

  /**
   * The pieces both formats build attention from: tokens `l`, width `d`, heads `h`, and the fused
   * qkv projection split into q, k and v (its column blocks, with their bias slices).
   */
  protected attentionParts(op: Extract<GraphOp, { op: 'attention' }>): {
    l: number; d: number; h: number;
    parts: { name: 'q' | 'k' | 'v'; weight: HostWeight; bias: Float32Array | null }[];
    proj: { weight: HostWeight; bias: Float32Array };
  } {
    const [l, d] = op.input.shape as [number, number];
    const qkv = this.w(`${op.prefix}.qkv.weight`);
    const qkvBias = op.qkvBias ? this.w(`${op.prefix}.qkv.bias`).data : null;
    const parts = (['q', 'k', 'v'] as const).map((name, i) => ({
      name, weight: columns(qkv, i * d, (i + 1) * d), bias: qkvBias ? qkvBias.slice(i * d, (i + 1) * d) : null,
    }));
    return { l, d, h: op.heads, parts, proj: { weight: this.w(`${op.prefix}.proj.weight`), bias: this.w(`${op.prefix}.proj.bias`).data } };
  }

  /** Lowers every op in order; returns the name holding the graph's output. */
  run(): string {
    for (const op of this.graph.ops) {
      this.names.set(op.output.name, op.op === 'batchNorm' && this.folded.has(op) ? this.ref(op.input) : this.lower(op));
    }
    return this.ref(this.graph.output);
  }
}
