import type { VisionTransformer } from '@fr/backbones';
import type { GraphBuilder, Value } from './inference-graph.js';
import { activation, add, batchNorm, conv, layerNorm, linear } from './layers.js';

/** arcface_torch `vit.py` in eval mode (no token masking, no drop-path) with TransFace's SE gate. */
export function vitGraph(g: GraphBuilder, net: VisionTransformer): Value {
  const { dim } = net.config;
  const L = net.numPatches;
  const map = conv(g, net.patchEmbed.proj, g.input);
  let x = g.push({ op: 'toTokens', module: g.path(net.patchEmbed), input: map }, 'tensor', [L, dim]);
  x = g.push({ op: 'addParam', module: '', input: x, param: 'pos_embed' }, 'tensor', [L, dim]);
  for (const blk of net.blocks.items) {
    const path = g.path(blk);
    const h = layerNorm(g, blk.norm1, x);
    const a = g.push({ op: 'attention', module: g.path(blk.attn), input: h, prefix: g.path(blk.attn), heads: net.config.heads, qkvBias: blk.attn.qkv.bias !== null }, 'tensor', [L, dim]);
    x = add(g, x, a, path);
    const m = linear(g, blk.mlp.fc2, activation(g, 'relu6', linear(g, blk.mlp.fc1, layerNorm(g, blk.norm2, x)), g.path(blk.mlp)));
    x = add(g, x, m, path);
  }
  x = layerNorm(g, net.norm, x);
  if (net.senet) {
    const flat = g.push({ op: 'flattenTokens', module: g.path(net.senet), input: x }, 'tensor', [L * dim]);
    const se = g.path(net.senet);
    const gate = activation(g, 'sigmoid', linear(g, net.senet.fc2, activation(g, 'relu', linear(g, net.senet.fc1, flat), se)), se);
    x = g.push({ op: 'gate', module: se, input: x, gate }, 'tensor', [L, dim]);
  }
  x = g.push({ op: 'flattenTokens', module: g.path(net.feature), input: x }, 'tensor', [L * dim]);
  const f = net.feature;
  return batchNorm(g, f.bn2, linear(g, f.fc2, batchNorm(g, f.bn1, linear(g, f.fc1, x))));
}
