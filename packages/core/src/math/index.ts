export { l2Normalize, rowNorm } from './normalize.js';
export { clipByValue } from './clip.js';
export { cosineToCenters, cosineToCentres } from './cosine.js';
export { detach, constantOf, straightThrough, unaryCustomGrad, type UnaryGradient } from './gradient.js';
export { safeSine, safeAcos, targetCosine, replaceTargetLogit, arcTargetCosine, type ArcFallback } from './margin.js';
export { softmaxCrossEntropy, type CrossEntropyOptions } from './cross-entropy.js';
export { pairwiseEuclidean } from './pairwise-distance.js';
export { safeSqrt, unbiasedStd } from './statistics.js';
