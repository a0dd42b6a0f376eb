import { tf, type Backbone } from '@fr/core';
import type { GraphOp, InferenceGraph } from './inference-graph.js';

/** A weight as host numbers, in @fr's layout. */
export interface HostWeight {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Reads the backbone's parameters by @fr name, once each. */
export class WeightSource {
  private readonly state: Map<string, tf.Variable>;
  private readonly cache = new Map<string, HostWeight>();

  constructor(backbone: Backbone) {
    this.state = backbone.module.stateDict();
  }

  get(name: string): HostWeight {
    let w = this.cache.get(name);
    if (!w) {
      const v = this.state.get(name);
      if (!v) throw new Error(`internal: the backbone has no parameter "${name}"`);
      w = { data: Float32Array.from(v.dataSync() as Float32Array), shape: v.shape };
      this.cache.set(name, w);
    }
    return w;
  }
}

/** `data` of `shape` with its axes permuted (`out.shape[i] = shape[perm[i]]`). */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p] as number);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let k = 0; k < out.length; k++) {
    let from = 0;
    for (let i = 0; i < rank; i++) from += (index[i] as number) * (inStrides[perm[i] as number] as number);
    out[k] = data[from] as number;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] as number) + 1;
      if ((index[axis] as number) < (outShape[axis] as number)) break;
      index[axis] = 0;
    }
  }
  return out;
}

/** Columns `[from, to)` of an `[in, out]` matrix. */
export function columns(w: HostWeight, from: number, to: number): HostWeight {
  const [rows, cols] = w.shape as [number, number];
  const out = new Float32Array(rows * (to - from));
  for (let r = 0; r < rows; r++) out.set(w.data.subarray(r * cols + from, r * cols + to), r * (to - from));
  return { data: out, shape: [rows, to - from] };
}

/** Inference batch norm as y = x·scale + shift, per channel (computed in float64). */
export function batchNormAffine(weights: WeightSource, prefix: string, eps: number): { scale: Float32Array; shift: Float32Array } {
  const gamma = weights.get(`${prefix}.gamma`).data;
  const beta = weights.get(`${prefix}.beta`).data;
  const mean = weights.get(`${prefix}.runningMean`).data;
  const variance = weights.get(`${prefix}.runningVar`).data;
  const scale = new Float32Array(gamma.length);
  const shift = new Float32Array(gamma.length);
  for (let c = 0; c < gamma.length; c++) {
    const s = (gamma[c] as number) / Math.sqrt((variance[c] as number) + eps);
    scale[c] = s;
    shift[c] = (beta[c] as number) - (mean[c] as number) * s;
  }
  return { scale, shift };
}

type Producer = Extract<GraphOp, { op: 'conv' | 'linear' }>;
type BatchNormOp = Extract<GraphOp, { op: 'batchNorm' }>;

/**
 * Which batch norms fold into the conv or linear right before them (the BN is that op's only
 * consumer): producer → BN. Empty when folding is off.
 */
export function foldingPlan(graph: InferenceGraph, enabled: boolean): Map<Producer, BatchNormOp> {
  const plan = new Map<Producer, BatchNormOp>();
  if (!enabled) return plan;
  const consumers = new Map<string, number>();
  const inputsOf = (op: GraphOp) => ('inputs' in op ? [...op.inputs] : op.op === 'gate' ? [op.input, op.gate] : [op.input]);
  for (const op of graph.ops) for (const v of inputsOf(op)) consumers.set(v.name, (consumers.get(v.name) ?? 0) + 1);
  const producers = new Map<string, Producer>();
  for (const op of graph.ops) if (op.op === 'conv' || op.op === 'linear') producers.set(op.output.name, op);
  for (const op of graph.ops) {
    if (op.op !== 'batchNorm') continue;
    const producer = producers.get(op.input.name);
    if (producer && consumers.get(op.input.name) === 1 && op.input.name !== graph.output.name) plan.set(producer, op);
  }
  return plan;
}

/**
 * A conv / linear weight and bias with a following batch norm folded in: every output channel
 * (the weight's last axis in @fr's layouts `[kh, kw, in, out]`, `[k, k, C, 1]`, `[in, out]`) scaled.
 */
export function foldInto(weight: HostWeight, bias: Float32Array | null, bn: { scale: Float32Array; shift: Float32Array }): { weight: HostWeight; bias: Float32Array } {
  const channels = bn.scale.length;
  const data = new Float32Array(weight.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (weight.data[i] as number) * (bn.scale[i % channels] as number);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) b[c] = (bias ? (bias[c] as number) : 0) * (bn.scale[c] as number) + (bn.shift[c] as number);
  return { weight: { data, shape: weight.shape }, bias: b };
}
