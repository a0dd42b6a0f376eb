export { MobileFaceNet, GDC, mobilefacenetArchitectures, mobilefacenetTorchChildName, mobilefacenetFinalSize, type MobileFaceNetConfig, type MobileFaceNetFields, type MobileFaceNetOptions } from './mobilefacenet.js';
export { Bottleneck, ConvBlock, LinearBlock, Residual, type ConvSpec } from './blocks.js';
