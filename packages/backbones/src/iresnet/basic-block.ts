import { type tf, BatchNorm, Conv2d, Module, PReLU, init, type ForwardContext } from '@fr/core';
import { weightInit, type BuildContext } from '../layers/index.js';

/** IResNet convs are initialised N(0, 0.1) (arcface_torch `iresnet.py`). */
const convInit = init.normal(0.1);

/**
 * 3×3 conv with explicit symmetric padding 1, so a stride-2 conv samples exactly the pixels
 * PyTorch's does (tfjs' 'same' pads bottom/right only for even inputs).
 */
export function conv3x3(ctx: BuildContext, inChannels: number, outChannels: number, stride = 1): Conv2d {
  return new Conv2d(ctx, { inChannels, outChannels, kernelSize: 3, stride, padding: 1, bias: false, init: weightInit(ctx, convInit) });
}

export function conv1x1(ctx: BuildContext, inChannels: number, outChannels: number, stride = 1): Conv2d {
  return new Conv2d(ctx, { inChannels, outChannels, kernelSize: 1, stride, padding: 0, bias: false, init: weightInit(ctx, convInit) });
}

/** Shortcut projection: conv1×1(stride) + BN; names `0`/`1` mirror PyTorch's `downsample` Sequential. */
export class Downsample extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;

  constructor(ctx: BuildContext, inChannels: number, outChannels: number, stride: number) {
    super();
    this.conv = this.child('0', conv1x1(ctx, inChannels, outChannels, stride));
    this.bn = this.child('1', new BatchNorm({ channels: outChannels, eps: 1e-5 }));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return this.bn.forward(this.conv.forward(x), ctx);
  }
}

/**
 * IResNet's pre-activation basic block: BN → conv3×3 (stride 1) → BN → PReLU → conv3×3
 * (stride s: the stride sits on the *second* conv) → BN, plus the shortcut, no activation after
 * the add.
 */
export class IBasicBlock extends Module {
  readonly bn1: BatchNorm;
  readonly conv1: Conv2d;
  readonly bn2: BatchNorm;
  readonly prelu: PReLU;
  readonly conv2: Conv2d;
  readonly bn3: BatchNorm;
  readonly downsample: Downsample | null;

  constructor(ctx: BuildContext, inplanes: number, planes: number, stride: number) {
    super();
    this.bn1 = this.child('bn1', new BatchNorm({ channels: inplanes, eps: 1e-5 }));
    this.conv1 = this.child('conv1', conv3x3(ctx, inplanes, planes));
    this.bn2 = this.child('bn2', new BatchNorm({ channels: planes, eps: 1e-5 }));
    this.prelu = this.child('prelu', new PReLU(planes));
    this.conv2 = this.child('conv2', conv3x3(ctx, planes, planes, stride));
    this.bn3 = this.child('bn3', new BatchNorm({ channels: planes, eps: 1e-5 }));
    this.downsample = stride !== 1 || inplanes !== planes ? this.child('downsample', new Downsample(ctx, inplanes, planes, stride)) : null;
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    let out = this.bn1.forward(x, ctx);
    out = this.conv1.forward(out);
    // BN → PReLU and BN → + shortcut run fused (one op each; see BatchNorm.forward).
    out = this.bn2.forward(out, ctx, { activation: this.prelu });
    out = this.conv2.forward(out);
    const identity = this.downsample ? this.downsample.forward(x, ctx) : x;
    return this.bn3.forward(out, ctx, { residual: identity });
  }
}
