export { buildContext, weightInit, timmTruncNormal, kaimingNormalFanOut, type BuildContext, type BuildOptions } from './build-context.js';
export { ModuleList } from './module-list.js';
export { convOutputSize, scaleChannels } from './conv-arithmetic.js';
