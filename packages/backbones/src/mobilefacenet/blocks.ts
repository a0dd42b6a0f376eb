import { tf, BatchNorm, Conv2d, DepthwiseConv2d, Module, PReLU, type ForwardContext } from '@fr/core';
import { ModuleList, kaimingNormalFanOut, weightInit, type BuildContext } from '../layers/index.js';

export interface ConvSpec {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  padding?: number;
  /** Depthwise (groups = channels; needs inChannels = outChannels). */
  depthwise?: boolean;
}

/**
 * Bias-free conv (or depthwise conv) with insightface's MobileFaceNet init:
 * `kaiming_normal_(mode='fan_out', nonlinearity='relu')`, fan-out = out·k·k in PyTorch's layout.
 */
function makeConv(ctx: BuildContext, spec: ConvSpec): Conv2d | DepthwiseConv2d {
  const stride = spec.stride ?? 1;
  const padding = spec.padding ?? 0;
  const initializer = weightInit(ctx, kaimingNormalFanOut(spec.outChannels * spec.kernel * spec.kernel));
  if (spec.depthwise) {
    if (spec.inChannels !== spec.outChannels) throw new Error('depthwise conv needs inChannels = outChannels');
    return new DepthwiseConv2d(ctx, { channels: spec.inChannels, kernelSize: spec.kernel, stride, padding, init: initializer });
  }
  return new Conv2d(ctx, { inChannels: spec.inChannels, outChannels: spec.outChannels, kernelSize: spec.kernel, stride, padding, bias: false, init: initializer });
}

/** conv → BN, no activation (insightface `LinearBlock`). */
export class LinearBlock extends Module {
  readonly conv: Conv2d | DepthwiseConv2d;
  readonly bn: BatchNorm;

  constructor(ctx: BuildContext, spec: ConvSpec) {
    super();
    this.conv = this.child('conv', makeConv(ctx, spec));
    this.bn = this.child('bn', new BatchNorm({ channels: spec.outChannels, eps: 1e-5 }));
  }

  /** conv → BN, plus `residual` when given (added in the batch norm's fused step). */
  forward(x: tf.Tensor4D, ctx: ForwardContext, residual?: tf.Tensor4D): tf.Tensor4D {
    return this.bn.forward(this.conv.forward(x), ctx, residual ? { residual } : {});
  }
}

/** conv → BN → PReLU (insightface `ConvBlock`); BN and PReLU run fused. */
export class ConvBlock extends LinearBlock {
  readonly prelu: PReLU;

  constructor(ctx: BuildContext, spec: ConvSpec) {
    super(ctx, spec);
    this.prelu = this.child('prelu', new PReLU(spec.outChannels));
  }

  override forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return this.bn.forward(this.conv.forward(x), ctx, { activation: this.prelu });
  }
}

/**
 * Inverted-residual bottleneck (insightface `DepthWise`): 1×1 expand to `expanded` channels
 * (+BN+PReLU) → depthwise 3×3, stride s (+BN+PReLU) → linear 1×1 projection (+BN); the input is
 * added back when `residual`.
 */
export class Bottleneck extends Module {
  readonly expand: ConvBlock;
  readonly dw: ConvBlock;
  readonly project: LinearBlock;

  constructor(ctx: BuildContext, inChannels: number, outChannels: number, expanded: number, stride: number, readonly residual: boolean) {
    super();
    if (residual && (inChannels !== outChannels || stride !== 1)) throw new Error('a residual bottleneck keeps channels and stride 1');
    this.expand = this.child('expand', new ConvBlock(ctx, { inChannels, outChannels: expanded, kernel: 1 }));
    this.dw = this.child('dw', new ConvBlock(ctx, { inChannels: expanded, outChannels: expanded, kernel: 3, stride, padding: 1, depthwise: true }));
    this.project = this.child('project', new LinearBlock(ctx, { inChannels: expanded, outChannels, kernel: 1 }));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return this.project.forward(this.dw.forward(this.expand.forward(x, ctx), ctx), ctx, this.residual ? x : undefined);
  }
}

/** `n` residual bottlenecks at constant width, run in order (insightface `Residual`). */
export class Residual extends ModuleList<Bottleneck> {
  constructor(ctx: BuildContext, channels: number, n: number, expanded: number) {
    super(Array.from({ length: n }, () => new Bottleneck(ctx, channels, channels, expanded, 1, true)));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    for (const block of this.items) x = block.forward(x, ctx);
    return x;
  }
}
