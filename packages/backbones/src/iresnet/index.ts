export { IResNet, IRESNET_LAYERS, iresnetArchitectures, iresnetFinalSize, type IResNetConfig, type IResNetFields, type IResNetOptions, type IResNetName } from './iresnet.js';
export { IBasicBlock, Downsample, conv3x3, conv1x1 } from './basic-block.js';
