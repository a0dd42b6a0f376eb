import type { Backbone, Module } from '@fr/core';

/**
 * The inference graph of a backbone in terms both export formats lower directly: convolutions,
 * batch norm, PReLU and friends on feature maps (whose memory layout — NCHW in ONNX, NHWC in a
 * TF GraphModel — only the lowering knows), and layout-free ops on vectors and token sequences.
 * Weights are referenced by @fr state-dict name, so the graph can be built from a shape-only
 * backbone (ONNX import matches a file against it before any weight exists).
 */

/** A value: a feature map `[B, H, W, C]` (layout decided by the lowering) or a plain tensor. */
export interface Value {
  readonly name: string;
  readonly kind: 'map' | 'tensor';
  /** Shape without the batch axis, semantic NHWC for maps (`[H, W, C]`). */
  readonly shape: readonly number[];
}

interface OpBase {
  /** The @fr module this op belongs to (dotted path; '' for the root), for names and errors. */
  readonly module: string;
  readonly output: Value;
}

export type GraphOp = OpBase & (
  | { readonly op: 'conv'; readonly input: Value; readonly weight: string; readonly bias: string | null; readonly kernel: number; readonly stride: number; readonly pad: number; readonly depthwise: boolean }
  | { readonly op: 'batchNorm'; readonly input: Value; readonly prefix: string; readonly eps: number }
  | { readonly op: 'prelu'; readonly input: Value; readonly alpha: string }
  | { readonly op: 'add'; readonly inputs: readonly [Value, Value] }
  /** Map `[H, W, C]` → `[C·H·W]` in channel-major order (PyTorch's `flatten` of NCHW). */
  | { readonly op: 'flattenChannelsFirst'; readonly input: Value }
  /** Map `[g, g, D]` → tokens `[g², D]`, row-major (PyTorch's `flatten(2).transpose(1, 2)`). */
  | { readonly op: 'toTokens'; readonly input: Value }
  /** Tokens `[L, D]` → `[L·D]`. */
  | { readonly op: 'flattenTokens'; readonly input: Value }
  /** Last axis; the weight is @fr's `[in, out]`. */
  | { readonly op: 'linear'; readonly input: Value; readonly weight: string; readonly bias: string | null }
  /** `input + param` (broadcast over the batch), e.g. ViT's `pos_embed`. */
  | { readonly op: 'addParam'; readonly input: Value; readonly param: string }
  | { readonly op: 'layerNorm'; readonly input: Value; readonly prefix: string; readonly eps: number }
  /** Multi-head self-attention over tokens `[L, D]` (fused qkv weight `[D, 3D]`, columns q | k | v). */
  | { readonly op: 'attention'; readonly input: Value; readonly prefix: string; readonly heads: number; readonly qkvBias: boolean }
  | { readonly op: 'relu' | 'relu6' | 'sigmoid'; readonly input: Value }
  /** Tokens `[L, D]` scaled per token by `gate` `[L]` (TransFace's SE gate). */
  | { readonly op: 'gate'; readonly input: Value; readonly gate: Value }
);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An op before its output value exists. */
export type OpWithoutOutput = DistributiveOmit<GraphOp, 'output'>;

export interface InferenceGraph {
  readonly backbone: Backbone;
  /** The image input: a map `[S, S, 3]`. */
  readonly input: Value;
  readonly ops: readonly GraphOp[];
  /** The raw (un-normalised) embedding `[E]`. */
  readonly output: Value;
}

/** Records ops and hands out value names; `path(m)` names a module of the backbone. */
export class GraphBuilder {
  readonly ops: GraphOp[] = [];
  readonly input: Value;
  private count = 0;
  private readonly paths = new Map<Module, string>();

  constructor(readonly backbone: Backbone) {
    for (const [path, m] of backbone.module.namedModules()) this.paths.set(m, path);
    const s = backbone.config.inputSize;
    this.input = { name: 'input', kind: 'map', shape: [s, s, 3] };
  }

  /** Dotted path of a module of this backbone. */
  path(m: Module): string {
    const p = this.paths.get(m);
    if (p === undefined) throw new Error('internal: module is not part of the backbone');
    return p;
  }

  /** `prefix.leaf` for a module path (the root has no prefix). */
  param(m: Module, leaf: string): string {
    const p = this.path(m);
    return p ? `${p}.${leaf}` : leaf;
  }

  value(kind: Value['kind'], shape: readonly number[]): Value {
    return { name: `v${this.count++}`, kind, shape };
  }

  /** Appends an op (its `output` is created from `kind`/`shape`) and returns that output. */
  push(op: OpWithoutOutput, kind: Value['kind'], shape: readonly number[]): Value {
    const output = this.value(kind, shape);
    this.ops.push({ ...op, output } as GraphOp);
    return output;
  }

  finish(output: Value): InferenceGraph {
    return { backbone: this.backbone, input: this.input, ops: this.ops, output };
  }
}
