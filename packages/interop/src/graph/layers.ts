import { BatchNorm, Conv2d, DepthwiseConv2d, LayerNorm, Linear, PReLU } from '@fr/core';
import type { GraphBuilder, Value } from './inference-graph.js';

/** Graph ops of the @fr layer modules (one function per layer kind), shared by every family. */

function channelsOf(x: Value): number {
  return x.shape[x.shape.length - 1] as number;
}

function spatial(n: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - kernel) / stride) + 1;
}

export function conv(g: GraphBuilder, m: Conv2d | DepthwiseConv2d, x: Value): Value {
  const o = m.options;
  const kernel = typeof o.kernelSize === 'number' ? o.kernelSize : o.kernelSize[0];
  if (typeof o.kernelSize !== 'number' && o.kernelSize[0] !== o.kernelSize[1]) throw new Error(`${g.path(m)}: non-square kernels are not exported`);
  const pad = o.padding ?? 0;
  if (typeof pad !== 'number') throw new Error(`${g.path(m)}: padding "${pad}" is not exported (only explicit symmetric padding)`);
  const stride = o.stride ?? 1;
  const depthwise = m instanceof DepthwiseConv2d;
  const out = depthwise ? (m.options as DepthwiseConv2d['options']).channels : (m.options as Conv2d['options']).outChannels;
  const [h, w] = x.shape as [number, number, number];
  return g.push({
    op: 'conv', module: g.path(m), input: x, weight: g.param(m, 'weight'),
    bias: m instanceof Conv2d && m.bias ? g.param(m, 'bias') : null, kernel, stride, pad, depthwise,
  }, 'map', [spatial(h, kernel, stride, pad), spatial(w, kernel, stride, pad), out]);
}

export function batchNorm(g: GraphBuilder, m: BatchNorm, x: Value): Value {
  return g.push({ op: 'batchNorm', module: g.path(m), input: x, prefix: g.path(m), eps: m.options.eps ?? 1e-5 }, x.kind, x.shape);
}

export function prelu(g: GraphBuilder, m: PReLU, x: Value): Value {
  return g.push({ op: 'prelu', module: g.path(m), input: x, alpha: g.param(m, 'alpha') }, x.kind, x.shape);
}

export function add(g: GraphBuilder, a: Value, b: Value, module: string): Value {
  return g.push({ op: 'add', module, inputs: [a, b] }, a.kind, a.shape);
}

export function linear(g: GraphBuilder, m: Linear, x: Value): Value {
  return g.push({ op: 'linear', module: g.path(m), input: x, weight: g.param(m, 'weight'), bias: m.bias ? g.param(m, 'bias') : null },
    'tensor', [...x.shape.slice(0, -1), m.options.outFeatures]);
}

export function layerNorm(g: GraphBuilder, m: LayerNorm, x: Value): Value {
  return g.push({ op: 'layerNorm', module: g.path(m), input: x, prefix: g.path(m), eps: m.eps }, x.kind, x.shape);
}

export function activation(g: GraphBuilder, op: 'relu' | 'relu6' | 'sigmoid', x: Value, module: string): Value {
  return g.push({ op, module, input: x }, x.kind, x.shape);
}

export function flattenChannelsFirst(g: GraphBuilder, x: Value, module: string): Value {
  return g.push({ op: 'flattenChannelsFirst', module, input: x }, 'tensor', [x.shape.reduce((a, b) => a * b, 1)]);
}

export { channelsOf };
