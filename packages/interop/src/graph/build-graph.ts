import type { Backbone } from '@fr/core';
import { IResNet, MobileFaceNet, VisionTransformer } from '@fr/backbones';
import { GraphBuilder, type InferenceGraph } from './inference-graph.js';
import { iresnetGraph } from './iresnet.js';
import { mobilefacenetGraph } from './mobilefacenet.js';
import { vitGraph } from './vit.js';

/**
 * The inference graph of an @fr backbone (IResNet, MobileFaceNet, ViT / TransFace). Other
 * registered architectures have no exporter: the error says so.
 */
export function inferenceGraph(backbone: Backbone): InferenceGraph {
  const g = new GraphBuilder(backbone);
  const net = backbone.module;
  let output;
  if (net instanceof IResNet) output = iresnetGraph(g, net);
  else if (net instanceof MobileFaceNet) output = mobilefacenetGraph(g, net);
  else if (net instanceof VisionTransformer) output = vitGraph(g, net);
  else throw new Error(`no exporter for backbone "${backbone.name}" (${net.constructor.name}): IResNet, MobileFaceNet and ViT / TransFace are supported`);
  return g.finish(output);
}
