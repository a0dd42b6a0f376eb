import { Bottleneck, ConvBlock, LinearBlock, Residual, type MobileFaceNet } from '@fr/backbones';
import type { GraphBuilder, Value } from './inference-graph.js';
import { add, batchNorm, conv, flattenChannelsFirst, linear, prelu } from './layers.js';

function block(g: GraphBuilder, m: LinearBlock, x: Value): Value {
  const y = batchNorm(g, m.bn, conv(g, m.conv, x));
  return m instanceof ConvBlock ? prelu(g, m.prelu, y) : y;
}

function bottleneck(g: GraphBuilder, m: Bottleneck, x: Value): Value {
  const y = block(g, m.project, block(g, m.dw, block(g, m.expand, x)));
  return m.residual ? add(g, x, y, g.path(m)) : y;
}

/** insightface `mobilefacenet.py` (scale 1 layout) with the GDC head. */
export function mobilefacenetGraph(g: GraphBuilder, net: MobileFaceNet): Value {
  let x = g.input;
  for (const layer of net.layers.items) {
    if (layer instanceof Residual) for (const b of layer.items) x = bottleneck(g, b, x);
    else if (layer instanceof Bottleneck) x = bottleneck(g, layer, x);
    else x = block(g, layer, x);
  }
  x = block(g, net.features.dw, block(g, net.convSep, x));
  x = flattenChannelsFirst(g, x, g.path(net.features));
  return batchNorm(g, net.features.bn, linear(g, net.features.linear, x));
}
