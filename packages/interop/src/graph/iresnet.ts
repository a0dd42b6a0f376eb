import type { IResNet } from '@fr/backbones';
import type { GraphBuilder, Value } from './inference-graph.js';
import { add, batchNorm, conv, flattenChannelsFirst, linear, prelu } from './layers.js';

/** arcface_torch `iresnet.py` in eval mode (dropout is the identity). */
export function iresnetGraph(g: GraphBuilder, net: IResNet): Value {
  let x = prelu(g, net.prelu, batchNorm(g, net.bn1, conv(g, net.conv1, g.input)));
  for (const stage of net.stages) {
    for (const block of stage.items) {
      let y = conv(g, block.conv1, batchNorm(g, block.bn1, x));
      y = conv(g, block.conv2, prelu(g, block.prelu, batchNorm(g, block.bn2, y)));
      y = batchNorm(g, block.bn3, y);
      const identity = block.downsample ? batchNorm(g, block.downsample.bn, conv(g, block.downsample.conv, x)) : x;
      x = add(g, y, identity, g.path(block));
    }
  }
  x = flattenChannelsFirst(g, batchNorm(g, net.bn2, x), '');
  return batchNorm(g, net.features, linear(g, net.fc, x));
}
