export { Module, type ForwardContext, type InitContext, type ParamOptions } from './module.js';
export { init, fans, type Initializer } from './init.js';
export { Conv2d, type Conv2dOptions } from './conv2d.js';
export { DepthwiseConv2d, type DepthwiseConv2dOptions } from './depthwise-conv2d.js';
export { BatchNorm, type BatchNormOptions } from './batch-norm.js';
export { PReLU } from './prelu.js';
export { Linear, type LinearOptions } from './linear.js';
export { LayerNorm } from './layer-norm.js';
export { dropout, dropPath } from './dropout.js';
